"""#9: the reader-judged scorer (service/reader_eval.py): article text, locating, scoring, the pages rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from service import reader_eval
from service.reader_eval import LABELS, evaluate_reader, format_reader_table, html_to_text, locate, score


def test_html_blocks_are_separated_by_one_blank_line() -> None:
    html = """<div><h2>Storm  warning</h2>
      <p>The river <a href="#">may  rise</a>
         tonight.</p><ul><li>Roads closed</li><li><p>Schools shut</p></li></ul>
      <figure><img src="x.jpg"><figcaption>JOHN DOE/AFP</figcaption></figure>
      <script>var x = "<p>not text</p>";</script><blockquote>“We are ready,” she said.</blockquote>
      <table><tr><td>Cell&nbsp;one</td><td>Cell two</td></tr></table></div>"""
    assert html_to_text(html) == ("Storm warning\n\nThe river may rise tonight.\n\nRoads closed\n\nSchools shut\n\n"
                                  "JOHN DOE/AFP\n\n“We are ready,” she said.\n\nCell\u00a0one\n\nCell two")


def test_a_line_break_stays_inside_its_block() -> None:
    assert html_to_text("<p>Line one<br>line two</p><p>Next</p>") == "Line one\nline two\n\nNext"


def test_locate_matches_across_any_whitespace() -> None:
    article = "First one.\n\nThe  river may\nrise tonight. Last."
    assert locate(article, "The river may rise tonight.") == (12, 40)
    assert article[12:40] == "The  river may\nrise tonight."
    assert locate(article, "Not in the article.") is None
    assert locate(article, "   ") is None


def _fake_analyse(labels_by_sentence: dict[str, list[str]]):
    """An analyser that splits on '. ' / blank lines and labels sentences from a table (tests the scoring alone)."""

    def analyse(texts: Iterable[str]) -> Iterator[dict]:
        for text in texts:
            sentences, start = [], 0
            for piece in text.replace("\n\n", ". ").split(". "):
                piece = piece.strip().rstrip(".")
                if piece:
                    start = text.index(piece, start)
                    sentences.append({"start": start, "end": start + len(piece), "text": piece, "labels": labels_by_sentence.get(piece, []),
                                      "claim": False, "explanation": "", "cues": [], "source": None})
                    start += len(piece)
            yield {"sentences": sentences}

    return analyse


def test_scoring_counts_unions_of_covering_sentences_and_leaves_out_nulls() -> None:
    articles = {("pages", "a"): "Alpha may fall. Beta rose. Gamma said so.\n\nDelta"}
    rows = [
        # The judged sentence spans two result sentences: it gets the union of their labels.
        {"id": "a#1", "source": "pages", "page": "a", "sentence": "Alpha may fall. Beta rose.",
         "labels": {"speculative": 1, "vague_source": 0, "sourced": 0, "unsourced": 1}},
        {"id": "a#2", "source": "pages", "page": "a", "sentence": "Gamma said so.",
         "labels": {"speculative": 0, "vague_source": 0, "sourced": 1, "unsourced": None}},
        {"id": "a#3", "source": "pages", "page": "a", "sentence": "Delta",
         "labels": {"speculative": 0, "vague_source": 0, "sourced": 0, "unsourced": 0}},
        {"id": "a#4", "source": "pages", "page": "a", "sentence": "Epsilon is missing.",
         "labels": {"speculative": 0, "vague_source": 0, "sourced": 0, "unsourced": 0}},
        {"id": "b#1", "source": "polnear_dev", "page": "b", "sentence": "Not loaded.",
         "labels": {"speculative": 1, "vague_source": 1, "sourced": 1, "unsourced": 1}},
    ]
    analyse = _fake_analyse({"Alpha may fall": ["speculative"], "Beta rose": ["unsourced"], "Gamma said so": ["sourced", "speculative"],
                             "Delta": ["vague_source"]})
    scores = score(rows, articles, analyse, keep_dump=True)
    by_label = {s.label: s for s in scores.labels}
    assert (by_label["speculative"].precision, by_label["speculative"].recall, by_label["speculative"].n) == (0.5, 1.0, 3)
    assert (by_label["unsourced"].precision, by_label["unsourced"].recall, by_label["unsourced"].n) == (1.0, 1.0, 2)  # null left out
    assert (by_label["sourced"].f1, by_label["vague_source"].precision, by_label["vague_source"].positives) == (1.0, 0.0, 0)
    assert (scores.clean_n, scores.clean_flagged, scores.clean_flag_rate) == (1, 1, 1.0)  # "Delta" is clean but flagged
    assert scores.unmatched == ["a#4"] and scores.rows == 4 and scores.articles == 1
    assert scores.blank_line_sentences == 0
    assert [row["id"] for row in scores.dump] == ["a#1", "a#2", "a#3"]
    assert scores.dump[0]["predicted"] == ["speculative", "unsourced"] and len(scores.dump[0]["covering"]) == 2
    assert scores.dump[1]["wrong"] == ["speculative"]


def test_blank_line_sentences_are_counted() -> None:
    def analyse(texts: Iterable[str]) -> Iterator[dict]:
        for text in texts:
            yield {"sentences": [{"start": 0, "end": len(text), "text": text, "labels": []}]}

    scores = score([], {("pages", "a"): "One.\n\nTwo.", ("pages", "b"): "One.\r\n \r\nTwo.", ("pages", "c"): "One.\nTwo."}, analyse)
    assert scores.blank_line_sentences == 2


def test_polnear_rows_are_skipped_with_a_note_without_the_corpus(tmp_path: Path) -> None:
    scores = evaluate_reader(tmp_path, sources=("polnear_dev",), analyse=_fake_analyse({}))
    assert scores.rows == 0 and scores.articles == 0
    assert scores.skipped and "polnear_dev rows skipped" in scores.skipped[0]
    assert "polnear_dev rows skipped" in format_reader_table(scores)


def test_every_pages_row_is_found_in_its_article() -> None:
    rows = [row for row in reader_eval.read_judged() if row["source"] == "pages"]
    assert len(rows) == 84
    articles, skipped = reader_eval.load_articles(rows, ["pages"], reader_eval.DEFAULT_PAGES, Path("/nonexistent"))
    assert not skipped and len(articles) == 6
    missing = [row["id"] for row in rows if locate(articles[(row["source"], row["page"])], row["sentence"]) is None]
    assert missing == []
    assert all("\n\n" in text and "<" not in text for text in articles.values())


@pytest.mark.slow
def test_the_engine_is_scored_on_the_pages_rows(tmp_path: Path) -> None:
    """Structure and sane ranges, not tuned numbers: the real engine on the six pages' judged sentences."""
    scores = evaluate_reader(tmp_path, sources=("pages",), keep_dump=True)
    assert scores.rows == 84 and scores.articles == 6 and not scores.unmatched
    assert [s.label for s in scores.labels] == list(LABELS)
    for s in scores.labels:
        assert 70 <= s.n <= 84 and 0 <= s.positives <= s.n
        assert 0.0 <= s.precision <= 1.0 and 0.0 <= s.recall <= 1.0 and 0.0 <= s.f1 <= 1.0
    assert {s.label: s.positives > 0 for s in scores.labels} == dict.fromkeys(LABELS, True)
    assert 0 < scores.clean_n < 84 and 0.0 <= scores.clean_flag_rate <= 1.0
    assert scores.blank_line_sentences == 0  # every block ends its sentences (#9)
    assert len(scores.dump) == 84 and all(row["covering"] for row in scores.dump)
    table = format_reader_table(scores)
    assert "| speculative | " in table and "clean-flag rate:" in table and "blank line: 0 in 6 articles" in table


def test_cli_writes_a_dump(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(reader_eval, "evaluate_reader", lambda *args, **kwargs: score(
        [{"id": "x#1", "source": "pages", "page": "x", "sentence": "Alpha rose.",
          "labels": {"speculative": 0, "vague_source": 0, "sourced": 0, "unsourced": 1}}],
        {("pages", "x"): "Alpha rose."}, _fake_analyse({"Alpha rose": ["unsourced"]}), keep_dump=kwargs.get("keep_dump", False)))
    dump = tmp_path / "rows.json"
    assert reader_eval.main(["--source", "pages", "--dump", str(dump)]) == 0
    assert "| unsourced | 1 | 1 | 1.000 | 1.000 | 1.000 |" in capsys.readouterr().out
    assert json.loads(dump.read_text(encoding="utf-8"))[0]["predicted"] == ["unsourced"]

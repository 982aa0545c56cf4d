"""Speculation cues: hedges, modals, conditions, beliefs and predictions.

Candidates come from token patterns (``data/speculation_patterns.jsonl``);
each pattern id then passes a context check using POS, morphology and the
dependency parse, so that "May 2024", "the will of the people", "as if" or a
plain scheduled "will" are not flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from .cue_features import candidate_features
from .resources import classify, load_classifier, load_json, load_jsonl

SPANS_KEY = "sourcewise_speculation"
CUE_TYPES = ("epistemic", "doxastic", "investigation", "condition", "prediction", "question")
# The reader guide settles these alone: a future "will", "going to", "plans to", "is set to" and a
# bare "would" are predictions (or conditions), "has not been determined" leaves a fact open, whatever the classifier trained on encyclopedic
# text says (it never saw them as cues). Wikipedia and FactBank annotate them as certain, so they
# cost those corpora's scores (README, Accuracy); ``reader_rules=False`` turns them and questions off.
READER_RULES = {"will_future", "going_to", "plan_to", "set_to", "modal_would", "not_established"}
_QUESTION_MARKS = {"?", "?!", "!?", "？"}

_PERSONAL_PRONOUNS = {"i", "we", "you", "he", "she", "they", "one"}
_AGENT_ENTS = {"PERSON", "ORG", "NORP", "GPE"}
_ASKING_VERBS = {"ask", "wonder", "know", "see", "check", "determine", "decide", "question", "examine", "investigate", "doubt"}


def _has_child(token: Token, deps: Iterable[str]) -> bool:
    wanted = set(deps)
    return any(child.dep_ in wanted for child in token.children)


def _modal_possibility(span: Span) -> bool:
    modal = span[0]
    if modal.dep_ not in {"aux", "auxpass"}:
        return False
    if modal.head.lemma_ == "refer":
        return False
    if modal.lower_ in {"could", "couldn't"}:
        negated = _has_child(modal.head, ["neg"]) or modal.lower_ == "couldn't"
        return not negated
    return True


def _modal_would(span: Span) -> bool:
    """A "would" that helps a verb: a condition's outcome or, reported, a prediction ("he said he would resign")."""
    modal = span[0]
    return modal.dep_ in {"aux", "auxpass"} and modal.head.pos_ in {"VERB", "AUX"}


def _future(span: Span) -> bool:
    """ "will launch", "you'll be able to", "is going to rise": an event that has not happened yet."""
    first = span[0]
    verb = span[-1]
    if first.lower_ in {"will", "'ll", "wo", "shall"}:
        return first.dep_ in {"aux", "auxpass"}
    if verb.lemma_ == "be" and verb.dep_ != "xcomp":
        return False
    if first.lemma_ in {"plan", "intend", "aim"} and first.tag_ == "VBD":
        return False  # "they planned to take refuge": a past plan is history, not a forecast
    return verb.dep_ in {"xcomp", "ccomp", "advcl"} or verb.head.i < verb.i


def _should_effect(span: Span) -> bool:
    verb = span[-1]
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "expl"}]
    if not subjects or verb.lemma_ == "be" and any(c.dep_ == "acomp" for c in verb.children):
        return False
    subject = subjects[0]
    if subject.dep_ != "nsubj" or subject.pos_ != "NOUN":
        return False
    return subject.ent_type_ not in _AGENT_ENTS and subject.lemma_ not in {"people", "government", "country"}


def _possibility_noun(span: Span) -> bool:
    return span[0].lemma_ != "chance" or span[1].lower_ == "that"


def _doxastic_noun(span: Span) -> bool:
    noun = span[0]
    return not any(c.dep_ == "prep" and c.lower_ == "of" for c in noun.children) or noun.lemma_ != "assumption"


def _appear(span: Span) -> bool:
    verb = span[0]
    if verb.lemma_ == "seem":
        return True
    if any(c.dep_ == "prep" and c.lower_ in {"in", "on", "at", "as", "before", "with"} for c in verb.children):
        return False
    return _has_child(verb, ["xcomp", "ccomp", "acomp", "attr", "oprd"]) or any(
        c.lower_ == "it" and c.dep_ in {"nsubj", "expl"} for c in verb.children
    )


def _suggest(span: Span) -> bool:
    verb = span[0]
    if verb.lemma_ == "imply":
        return True
    return _has_child(verb, ["ccomp"])


def _doxastic_verb(span: Span) -> bool:
    verb = span[0]
    if verb.lemma_ in {"fear", "doubt", "guess", "feel", "assume", "presume"}:
        return _has_child(verb, ["ccomp", "xcomp"])
    if verb.lemma_ in {"think", "believe"}:  # "believe in the devil", "think in stark terms" hold no view on a fact
        return not any(c.lower_ in {"about", "of", "in"} for c in verb.children) or _has_child(verb, ["ccomp"])
    return True


def _see_as(span: Span) -> bool:
    verb = span[0]
    as_child = any(c.dep_ == "prep" and c.lower_ == "as" for c in verb.children)
    if verb.lemma_ in {"see", "view"}:
        return as_child
    return as_child or _has_child(verb, ["oprd", "xcomp", "ccomp"])


def _considered(span: Span) -> bool:
    verb = span[0]
    return verb.tag_ == "VBN" or _has_child(verb, ["oprd", "xcomp", "ccomp"])


def _if_condition(span: Span) -> bool:
    token = span[0]
    doc = token.doc
    if token.i > 0 and doc[token.i - 1].lower_ in {"as", "what", "and"}:
        return False
    if token.i + 2 < len(doc) and doc[token.i + 1].lower_ == "and" and doc[token.i + 2].lower_ == "only":
        return False
    return True


def _expected(span: Span) -> bool:
    verb = span[0]
    previous = verb.doc[verb.i - 1].lower_ if verb.i > 0 else ""
    if previous in {"as", "than"}:
        return False
    if verb.lemma_ in {"project", "forecast"}:
        return verb.tag_ == "VBN" or _has_child(verb, ["xcomp", "ccomp"])
    return True


def _investigation_verb(span: Span) -> bool:
    verb = span[0]
    return any(t.lower_ in {"whether", "if"} and t.dep_ == "mark" for c in verb.children if c.dep_ == "ccomp" for t in c.children)


def _not_established(span: Span) -> bool:
    """ "The cause has not been determined", "it is not yet known": the facts are still open."""
    participle = span[-1]
    return participle.dep_ in {"ROOT", "ccomp", "conj", "advcl", "relcl", "acomp", "xcomp"} or participle.tag_ in {"VBN", "JJ"}


_EVERYTHING = {"everything", "anything", "all", "every", "whatever"}
_RESPONDENTS = {"percent", "%", "respondent", "voter", "people", "majority", "minority", "participant", "member", "resident"}


def _idiom_possible(token: Token) -> bool:
    """ "as soon as possible", "the best possible outcome", "do everything possible": a degree, not a possibility."""
    doc = token.doc
    before = doc[token.i - 1] if token.i > 0 else None
    if before is None:
        return False
    return before.lower_ in {"as"} | _EVERYTHING or before.tag_ in {"JJS", "RBS"} or token.head.lower_ in _EVERYTHING


def _told_indicate(token: Token) -> bool:
    """ "Twelve percent indicated that they were not sure", "she indicated that she would run": people telling,
    not evidence pointing ("the data indicate that …" stays a hedge)."""
    for subject in (c for c in token.children if c.dep_ == "nsubj"):
        if subject.lower_ in _PERSONAL_PRONOUNS or subject.ent_type_ in {"PERSON", "PERCENT", "NORP"}:
            return True
        if subject.lemma_.lower() in _RESPONDENTS:
            return True
    return False


def not_a_hedge(span: Span) -> bool:
    """Uses of a cue word that the reader guide never counts as uncertain, whatever the classifier says (#9)."""
    first = span[0]
    if first.lower_ == "possible":
        return _idiom_possible(first)
    if first.lemma_ == "indicate" and first.pos_ == "VERB":
        return _told_indicate(first)
    if span.id_ == "provided_that":
        return _stipulating(first)
    if span.id_ == "if_condition":
        return _concessive_if(first)
    return False


_PHRASE_ENDS = {",", ";", ":", ")", "—", "–", "-", ".", "!", "?"}


def _concessive_if(token: Token) -> bool:
    """ "an interesting, if predictable, response", "steadily, if slowly", "rarely, if ever", "if anything", "if you
    will": an "if" that concedes or hedges a word, with no verb after it, or an idiom, sets no condition (#17). A verbless
    "if necessary", "if so", "if elected" still does, and so does any "if" that opens its clause ("If successful, …")."""
    words = load_json("concessive_if.json")
    doc = token.doc
    phrase = []
    for following in doc[token.i + 1 : min(len(doc), token.i + 6)]:
        if following.text in _PHRASE_ENDS or following.is_sent_start:
            break
        phrase.append(following)
    lowered = [t.lower_ for t in phrase]
    if lowered in words["idioms"]:
        return True
    if not phrase or len(phrase) == 5 or any(t.pos_ in {"VERB", "AUX", "NOUN", "PROPN", "PRON", "NUM"} for t in phrase):
        return False
    if set(lowered) & set(words["conditional_ellipses"]):
        return False
    before = next((doc[i] for i in range(token.i - 1, -1, -1) if not doc[i].is_space), None)
    if before is None or token.is_sent_start:
        return False
    opener = before.text in {",", "(", "—", "–"}
    previous_word = doc[before.i - 1] if opener and before.i > 0 else before
    return not previous_word.is_sent_start and any(t.pos_ in {"ADJ", "ADV"} for t in phrase) and (
        opener or previous_word.pos_ in {"ADJ", "ADV"})


def _stipulating(token: Token) -> bool:
    """ "by providing that the notice is triggered …", "the law has provided that …": the verb "provide" (to
    stipulate), not the proviso "providing that" (on condition that)."""
    before = token.doc[token.i - 1] if token.i > 0 else None
    return token.dep_ == "pcomp" or _has_child(token, ["nsubj", "nsubjpass", "aux"]) or (
        before is not None and (before.pos_ == "AUX" or before.lower_ in {"by", "of", "for", "in"}))


def _loose(span: Span) -> bool:
    """Candidates only the trained classifier may accept."""
    return False


CONTEXT_CHECKS: dict[str, Callable[[Span], bool]] = {
    "see_what": _investigation_verb,
    "modal_can": _loose,
    "accusation": _loose,
    "possible_any": _loose,
    "until": _loose,
    "look_to": _loose,
    "modal_possibility": _modal_possibility,
    "modal_would": _modal_would,
    "will_future": _future,
    "going_to": _future,
    "plan_to": _future,
    "set_to": _future,
    "not_established": _not_established,
    "modal_should_effect": _should_effect,
    "possibility_noun": _possibility_noun,
    "seem": _appear,
    "suggest": _suggest,
    "doxastic_verb": _doxastic_verb,
    "doxastic_feel": _doxastic_verb,
    "doxastic_noun": _doxastic_noun,
    "considered": _considered,
    "see_as": _see_as,
    "if_condition": _if_condition,
    "expected_to": _expected,
}


def _refine_type(span: Span, cue_type: str) -> str:
    """Adjust a cue's type from its syntax (e.g. "asked if" is an investigation)."""
    first = span[0]
    if first.lower_ in {"if"} and first.dep_ == "mark":
        governor = first.head.head
        if first.head.dep_ == "ccomp" and governor.lemma_ in _ASKING_VERBS:
            return "investigation"
    if span.label_ == "doxastic" and first.lemma_ == "consider" and first.tag_ != "VBN":
        return "investigation"
    if span.id_ == "modal_would" and not any(t.lower_ in {"if", "unless"} for t in first.sent):
        return "prediction"  # "would likely strengthen", "he said he would resign": a forecast, not a condition
    return cue_type


class SpeculationCues:
    """Find speculation cue spans and store them in ``doc.spans[spans_key]``.

    Every pattern match is a candidate. With the trained cue classifier (the default), a
    candidate is kept when the classifier's probability reaches ``threshold``, or reaches
    ``checked_threshold`` and the rule-based context check passes (the check is also one of the
    classifier's features). Without the classifier, the context check alone decides.
    """

    def __init__(self, nlp: Language, name: str, *, patterns_file: str, spans_key: str,
                 classifier: str | None, threshold: float, checked_threshold: float, reader_rules: bool = True) -> None:
        self.name = name
        self.reader_rules = reader_rules
        self.spans_key = spans_key
        self.threshold = threshold
        self.checked_threshold = checked_threshold
        self.matcher = Matcher(nlp.vocab)
        self.cue_types: dict[str, str] = {}
        self.order: dict[str, int] = {}
        for position, entry in enumerate(load_jsonl(patterns_file)):
            if entry["type"] not in CUE_TYPES:
                raise ValueError(f"pattern {entry['id']!r}: type must be one of {CUE_TYPES}, got {entry['type']!r}")
            self.cue_types[entry["id"]] = entry["type"]
            self.order.setdefault(entry["id"], position)
            self.matcher.add(entry["id"], [entry["pattern"]])
        self.classifier = load_classifier(classifier) if classifier else None

    def candidates(self, doc: Doc) -> list[tuple[Span, bool]]:
        """Every distinct candidate (longest per pattern and start) with its context-check verdict."""
        best: dict[tuple[int, str], Span] = {}
        for match_id, start, end in self.matcher(doc):
            pattern_id = doc.vocab.strings[match_id]
            end = next((i for i in range(start + 1, end) if doc[i].is_sent_start), end)  # a cue stays in its sentence
            key = (start, pattern_id)
            if key not in best or end > best[key].end:
                best[key] = Span(doc, start, end, label=self.cue_types[pattern_id], span_id=pattern_id)
        unique: dict[tuple[int, int], Span] = {}
        for span in sorted(best.values(), key=lambda s: (s.start, self.order[s.id_])):
            unique.setdefault((span.start, span.end), span)
        found = []
        for span in unique.values():
            if not_a_hedge(span):
                continue
            check = CONTEXT_CHECKS.get(span.id_)
            found.append((span, check is None or check(span)))
        return found

    def __call__(self, doc: Doc) -> Doc:
        candidates = self.candidates(doc)
        if self.classifier is not None and candidates:
            features = [candidate_features(span, span.id_, ok) for span, ok in candidates]
            probabilities = classify(self.classifier, features, "CUE")
            accepted = [
                span
                for (span, ok), p in zip(candidates, probabilities)
                if (ok if span.id_ in READER_RULES else p >= self.threshold or (ok and p >= self.checked_threshold))
            ]
        else:
            accepted = [span for span, ok in candidates if ok]
        if self.reader_rules:
            accepted += question_cues(doc)
        else:
            accepted = [span for span in accepted if span.id_ not in READER_RULES]
        doc.spans[self.spans_key] = [
            Span(doc, span.start, span.end, label=_refine_type(span, span.label_), span_id=span.id_) for span in filter_spans(accepted)
        ]
        return doc


def question_cues(doc: Doc) -> list[Span]:
    """Each question mark that ends a clause: a question asks, it does not state ("Will the deal hold?")."""
    return [Span(doc, t.i, t.i + 1, label="question", span_id="question") for t in doc if t.text in _QUESTION_MARKS]


@Language.factory(
    "sourcewise_speculation",
    default_config={
        "patterns_file": "speculation_patterns.jsonl",
        "spans_key": SPANS_KEY,
        "classifier": "models/cue_classifier",
        "threshold": 0.6,
        "checked_threshold": 0.2,
        "reader_rules": True,
    },
)
def make_speculation_cues(
    nlp: Language, name: str, patterns_file: str, spans_key: str, classifier: str | None, threshold: float, checked_threshold: float,
    reader_rules: bool,
) -> SpeculationCues:
    """spaCy factory for :class:`SpeculationCues`; ``reader_rules=False`` drops the reader guide's predictions
    ("will", a bare "would", "going to", "plans to", "is set to") and questions, which the speculation corpora
    (Wikipedia, FactBank) do not count as uncertain."""
    return SpeculationCues(
        nlp, name, patterns_file=patterns_file, spans_key=spans_key, classifier=classifier,
        threshold=threshold, checked_threshold=checked_threshold, reader_rules=reader_rules,
    )

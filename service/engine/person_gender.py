"""Whether a named person is clearly a man or a woman, so that "he" / "she" can skip someone it cannot be (#17).

Only words that say so: a title or role ("Mr", "Queen", "spokeswoman", "his wife"), or a common first name, from
``data/person_gender.json``. A surname shared with a gendered mention earlier in the text ("Mr. Lankford" →
"Senator James Lankford") lends it that gender: for a pronoun, only the mentions before it count (never a later
"Mrs. Smith"), so the chunks of an article (#16), each starting from the evidence of the ones before, decide as the
whole text does. Anything else, and any phrase with words of both genders ("Mr Lee's wife"), is unknown: unknown
never rules a person out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from spacy.tokens import Doc, Span

from .resources import load_json

MALE, FEMALE = "male", "female"
PRONOUN_GENDER = {"he": MALE, "him": MALE, "his": MALE, "she": FEMALE, "her": FEMALE, "hers": FEMALE}


def _words(name: str) -> frozenset[str]:
    return frozenset(load_json("person_gender.json")[name])


def _bare(word: str) -> str:
    return word.lower().rstrip(".")


class PersonGender:
    """The gender a text clearly gives each person it names, or None; ``earlier``: the (surname, gender) pairs the
    text before this Doc gave (:meth:`carried` of the chunk before)."""

    def __init__(self, doc: Doc, earlier: Iterable[tuple[str, str]] = ()) -> None:
        self.titles = {MALE: _words("male_titles"), FEMALE: _words("female_titles")}
        self.first_names = {MALE: _words("male_first_names"), FEMALE: _words("female_first_names")}
        self.earlier = frozenset(earlier)
        self.evidence: list[tuple[int, str, str]] = []  # (end token, surname, gender) of each PERSON mention that gives one
        for entity in doc.ents:
            if entity.label_ != "PERSON":
                continue
            genders = self._own(titled(entity))
            surname = surname_of(entity)
            if len(genders) == 1 and surname is not None:
                self.evidence.append((entity.end, surname, next(iter(genders))))
        self.ends = [end for end, _, _ in self.evidence]
        self._surnames: dict[int, dict[str, str]] = {}

    def by_surname(self, before: int | None = None) -> dict[str, str]:
        """Surname → the one gender its mentions give: those of the text before this Doc and those of this Doc ending by
        token ``before`` (all of them when None)."""
        count = len(self.evidence) if before is None else bisect_right(self.ends, before)
        if count not in self._surnames:
            found: dict[str, set[str]] = {}
            for surname, gender in (*self.earlier, *((surname, gender) for _, surname, gender in self.evidence[:count])):
                found.setdefault(surname, set()).add(gender)
            self._surnames[count] = {surname: next(iter(genders)) for surname, genders in found.items() if len(genders) == 1}
        return self._surnames[count]

    def carried(self) -> frozenset[tuple[str, str]]:
        """The evidence for the text after this Doc: every (surname, gender) a mention so far gave."""
        return self.earlier | {(surname, gender) for _, surname, gender in self.evidence}

    def _own(self, name: Span) -> set[str]:
        """Every gender the name's own words give it."""
        found: set[str] = set()
        for token in name:
            word = _bare(token.text)
            found.update(gender for gender, titles in self.titles.items() if word in titles)
        first = _first_name(name, self.first_names[MALE] | self.first_names[FEMALE], alone=not found)
        if first is not None:
            found.update(gender for gender, names in self.first_names.items() if _bare(first) in names)
        return found

    def of(self, name: Span, before: int | None = None) -> str | None:
        """``male``, ``female`` or None (unknown, or words of both); ``before``: count only the surname evidence of the
        mentions ending by that token of this Doc (a pronoun's), as :meth:`by_surname`."""
        own = self._own(name)
        if own:
            return next(iter(own)) if len(own) == 1 else None  # "Mr Lee's wife": both, so neither
        surname = surname_of(name)
        return self.by_surname(before).get(surname) if surname is not None else None

    def name_words(self, name: Span) -> tuple[str, ...]:
        """The words of a name without its titles, lower case: "Mr. Trump" → ("trump",), "Ivana Trump" → ("ivana", "trump")."""
        titles = self.titles[MALE] | self.titles[FEMALE]
        return tuple(_bare(t.text) for t in name if t.is_alpha and t.pos_ == "PROPN" and _bare(t.text) not in titles)

    def clashes(self, name: Span, pronoun: str, before: int | None = None) -> bool:
        """``pronoun`` ("he") cannot stand for ``name``: the text (up to token ``before``) clearly gives that person the other gender."""
        wanted = PRONOUN_GENDER.get(pronoun.lower())
        found = self.of(name, before)
        return wanted is not None and found is not None and found != wanted


def titled(name: Span) -> Span:
    """The name with the titles just before it ("Mr", "Queen"), which the entity recogniser leaves out."""
    doc, start = name.doc, name.start
    while start > 0 and start > name.start - 3 and doc[start - 1].is_title and doc[start - 1].dep_ in {"compound", "nmod", "amod"}:
        start -= 1
    return doc[start : name.end]


def _first_name(name: Span, known: frozenset[str], alone: bool) -> str | None:
    """The first word of a person's name that is a ``known`` first name and not its last word ("James" of "Senator
    James Lankford"): the last word is the surname ("Lee Thomas"). A name of one word counts only when ``alone`` (no
    title says otherwise): "Hillary", but not the "Thomas" of "Ms Thomas"."""
    doc = name.doc
    for token in name:
        if token.ent_type_ == "PERSON" and token.ent_iob_ == "B":
            end = token.i + 1
            while end < len(doc) and doc[end].ent_iob_ == "I" and doc[end].is_alpha:
                end += 1
            words = doc[token.i : end - 1] if end - token.i >= 2 else (doc[token.i : end] if alone else doc[token.i : token.i])
            return next((t.text for t in words if t.is_title and _bare(t.text) in known), None)
    return None


def surname_of(name: Span) -> str | None:
    """The last word of a name, without a possessive ending ("Clinton" of "Hillary Clinton’s")."""
    words = [t for t in name if t.is_alpha and t.pos_ == "PROPN"]
    return _bare(words[-1].text) if words else None

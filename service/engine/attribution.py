"""Attribution: who says so, and whether that source is named or vague.

Recognised patterns: "according to X", "X said/stated/warned ... (that)",
passives without an agent ("it is believed", "X is said to"), hedging
adverbs ("reportedly"), headline "Name: ...", a stance taken by someone
named ("Graham criticized the plan"), and quotations or colons that carry a
speaker across sentences. Where none of these applies, a classifier trained on PolNeAR
(``attribution_features``) may still find one verb or noun that attributes the sentence
("Reid has gone after Trump", "PolitiFact rated..."). The source span is classified ``named`` or ``vague``
from its entities, determiner and head noun (word lists in
``data/attribution.json``).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .attribution_features import candidate_features, candidates
from .context import OUT_EXTENSION, carried_in, lemma_before
from .person_gender import PRONOUN_GENDER, PersonGender, titled
from .resources import classify, load_classifier, load_json
from .speculation import SPANS_KEY

EXTENSION = "sourcewise_attributions"
MODALS_OF_HYPOTHESIS = {"could", "may", "might", "would", "should", "can", "must", "will", "shall"}
OPENING_QUOTES = {'"', "“", "‘", "«", "„"}
CLOSING_QUOTES = {'"', "”", "’", "»"}
SIGNATURE_DASHES = {"―", "—", "–", "--"}
INVERTED_SPEECH_VERBS = {"said", "says", "added", "adds", "wrote", "writes", "explained", "explains", "noted", "notes"}
MAX_SOURCE_TOKENS = 12
MAX_SOURCE_NESTING = 8  # possessors and "from"/"of" phrases followed inside a source phrase
ORIGIN_PREPOSITIONS = {"from", "by", "of", "for", "at"}  # "a report from the ministry", "a spokesman for the company"
# "The move signals a shift": with these verbs an unlisted, inanimate subject is evidence, not a speaker.
REPUTATION_ADVERBS = {"widely", "long", "often", "usually", "generally", "commonly", "frequently", "popularly", "traditionally", "sometimes"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
NOT_SPEAKERS = {"that", "this", "you", "which", "what", "who", "whom", "everything", "something", "nothing", "there"}
STUDY_AUTHORS = {"researcher", "scientist", "author", "investigator", "team", "researchers", "scientists", "authors"}
WRITER_PRONOUNS = {"i", "we"}  # outside quotation marks, the writer (or the writer's family) speaking
DENYING_ADVERBS = {"never"}  # not "hardly clarified": a judgement of how well, not a denial
CLAUSE_HEADS = {"VERB", "AUX", "ADP", "SCONJ", "CCONJ", "ADV"}  # a subject with such a head is a clause or a mis-tag, not a noun phrase
PERSON_PRONOUNS = {"he", "she", "him", "her"}
GROUP_PRONOUNS = {"they", "them"}
ORGANISATION_ENTITIES = {"ORG", "GPE", "NORP", "FAC"}
GROUP_ENTITIES = {"ORG", "NORP"}  # what a "they" may stand for when it did not speak itself; not a country ("Russia … they")
QUOTED_FIRST_PERSON = {"i", "me", "we", "us"}
ANTECEDENT_SENTENCES = 5  # a "he" looks this many sentences back for a person the text names
INFERENTIAL_VERBS = {"signal", "show", "suggest", "indicate", "hint", "mean", "point", "reveal", "find", "confirm", "conclude"}


@dataclass(frozen=True)
class Attribution:
    """One attribution relation: the cue words and the source they point to."""

    pattern: str  # according_to | reporting_verb | passive | adverb | headline_colon | quote_signature | stance | continuation
    cue: Span | None
    source: Span | None
    kind: str  # named | vague
    anchor: int | None = None  # token index in the sentence that carries the relation
    refers_to: Span | None = None  # for a pronoun source ("she"), the named speaker it stands for
    confidence: float | None = None  # the classifier's probability, for a relation only the classifier found


if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)


POLL_WORDS = {"poll", "survey"}


def _poll_before(source: Span) -> bool:
    """The article has introduced a poll or survey before this phrase, so a share of respondents speaks for it."""
    return lemma_before(source.doc, source.start, POLL_WORDS)


def _words(name: str) -> frozenset[str]:
    return frozenset(load_json("attribution.json")[name])


class SourceClassifier:
    """Decide whether a source span names someone or points at nobody in particular."""

    def __init__(self) -> None:
        self.vague_heads = _words("vague_heads")
        self.document_heads = _words("document_heads")
        self.vague_determiners = _words("vague_determiners")
        self.named_heads = _words("named_institution_heads")
        self.pronouns = _words("pronoun_sources")
        self.entity_labels = _words("named_entity_labels")
        self.anonymous_heads = _words("anonymous_heads")

    def classify(self, source: Span, previous_named: bool, depth: int = 0) -> str | None:
        """``named``, ``vague``, or None when the phrase cannot be a speaker at all ("the move signals")."""
        if depth > MAX_SOURCE_NESTING:  # "the man's the man's … report": look a few possessors deep, not 1000 (#12)
            return None
        head = source.root
        if head.lower_ in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            antecedent = head.head.head  # "Senator Lankford, who warned …": the senator warned
            return self.classify(_trim_source(antecedent), previous_named) if antecedent.i != head.i else None
        if head.lower_ in NOT_SPEAKERS:
            return None  # "that's opining", "do you think …?": a demonstrative or the reader addressed is nobody's voice
        if head.lower_ == "it" and len(source) == 1:
            return "named" if previous_named else None  # "it said", once the text has named the organisation
        if previous_named and head.lemma_.lower() in STUDY_AUTHORS and any(
            c.dep_ in {"det", "poss"} and c.lower_ in {"the", "their", "its", "our", "his", "her"} for c in head.children
        ):
            return "named"  # "the researchers wonder …" about the study the article has named
        if head.ent_type_ == "PERCENT" and _poll_before(source):
            return "named"  # "Twelve percent indicated …" in a poll article: the poll's respondents, the poll named (#9)
        if head.lemma_.lower() in self.anonymous_heads and not (head.ent_type_ or head.pos_ == "PROPN"):
            return "vague"  # "one GOP source in the room", "a person familiar with the talks": no one a reader can check
        if any(t.ent_type_ in self.entity_labels and t.ent_type_ != "NORP" for t in source):
            return "named"
        if head.ent_type_ == "NORP" and head.tag_ in {"NNPS", "NNS"} and not any(c.dep_ in {"det", "poss"} for c in head.children):
            return "vague"  # "Republicans say …": a whole party or people, nobody in particular
        if any(t.pos_ == "PROPN" and (t.ent_type_ or t == head or not t.is_sent_start) for t in source):
            return "named"  # not "Deficit hawks have warned": a capital at the sentence start names nobody
        possessor = next((t for t in head.children if t.dep_ == "poss" and t.pos_ != "PRON"), None)
        if possessor is not None and self.classify(source.doc[possessor.left_edge.i : possessor.i + 1], previous_named, depth + 1) == "named":
            return "named"  # "the ministry's own figures" name the ministry
        people = (head.lemma_.lower() in self.vague_heads) and head.lemma_.lower() not in self.document_heads
        origins = [] if people else [t for t in head.children if t.dep_ == "prep" and t.lower_ in ORIGIN_PREPOSITIONS and t.i < source.end]
        for prep in origins:  # not "officials at the ministry": unnamed people stay unnamed
            origin = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if origin is not None and self.classify(source.doc[origin.left_edge.i : origin.right_edge.i + 1], previous_named, depth + 1) == "named":
                return "named"  # "a report from the ministry" names the ministry
        lemma = head.lemma_.lower()
        if head.pos_ == "PRON":
            if lemma in self.pronouns or head.lower_ in self.pronouns:
                return "named" if head.lower_ not in {"they", "them"} or previous_named else "vague"
            return "vague"
        if lemma in self.vague_heads or head.lower_ in self.vague_heads:
            return "vague"
        if lemma in self.named_heads:
            determiners = {t.lower_ for t in head.children if t.dep_ in {"det", "predet", "amod", "nummod"}}
            definite = any(t.dep_ in {"det", "poss"} for t in head.children) and not determiners & self.vague_determiners
            return "named" if definite else "vague"
        return None

    @staticmethod
    def default_kind(source: Span) -> str:
        """For a speech verb whose subject is an unlisted noun: "the memo said" names its source, "a memo said" does not.
        A lone capitalised singular word is a name the tagger missed ("Ditto said", "Trump knows")."""
        head = source.root
        if len(source) == 1 and head.is_title and head.tag_ in {"NN", "NNP"}:
            return "named"
        definite = any(t.dep_ in {"det", "poss"} and t.lower_ not in {"a", "an", "some", "any"} for t in head.children)
        return "named" if definite and head.tag_ not in {"NNS", "NNPS"} else "vague"


def _trim_source(token: Token) -> Span:
    """The subject's phrase, cut to its left side when it runs long; for a relative pronoun, the noun it stands for."""
    if token.lower_ in RELATIVE_PRONOUNS and token.head.dep_ == "relcl" and token.head.head.i < token.i:
        token = token.head.head  # "Senator Lankford, who warned …": the senator
        if token.dep_ == "appos":
            token = token.head  # "Dr Haddad, a chemist who warned …": Dr Haddad
    if token.pos_ in CLAUSE_HEADS and token.is_title:
        # "Groening recently heaped praise on …, saying": a name tagged as a verb heads a whole clause; the name is the source (#17)
        names = [c for c in token.lefts if c.dep_ in {"compound", "flat"} and c.is_title]
        return token.doc[(names[0].i if names else token.i) : token.i + 1]
    clause_subject = next((c for c in token.children if c.dep_ == "nsubj"), None) if token.pos_ in {"VERB", "AUX"} else None
    if clause_subject is not None:  # "Hillary failed to mention …" parsed as the subject: its own subject is the one acting (#17)
        return _trim_source(clause_subject)
    left, right = token.left_edge.i, token.right_edge.i + 1
    if right - left > MAX_SOURCE_TOKENS:
        right = token.i + 1
        for child in token.rights:
            if child.dep_ in {"appos", "compound", "flat"} or child.lower_ == "(":
                right = max(right, child.right_edge.i + 1)
    doc = token.doc
    dated = [c for c in token.rights if c.dep_ == "npadvmod" and c.ent_type_ in {"DATE", "TIME"} and c.left_edge.i > token.i]
    if dated:  # "Trump this week also said": the date says when, not who
        right = min(right, dated[0].left_edge.i)
    while right > left + 1 and (doc[right - 1].is_punct or doc[right - 1].is_space) and not (
        doc[right - 1].text == ")" and "(" in doc[left : right - 1].text
    ):
        right -= 1
    while left < right - 1 and (doc[left].is_punct or doc[left].is_space):
        left += 1
    return doc[left:right]


class AttributionFinder:
    """Find attribution relations per sentence and store them on ``doc._.sourcewise_attributions``."""

    def __init__(self, nlp: Language, name: str, *, classifier: str | None, threshold: float, vague_threshold: float) -> None:
        self.name = name
        self.cue_classifier = load_classifier(classifier) if classifier else None
        self.threshold = threshold
        self.vague_threshold = vague_threshold
        self.reporting_verbs = _words("reporting_verbs")
        self.verbs_needing_complement = _words("verbs_needing_complement")
        self.passive_verbs = _words("passive_verbs")
        self.vague_adverbs = _words("vague_adverbs")
        self.colon_labels = _words("colon_labels_not_sources")
        self.stance_verbs = _words("stance_verbs")
        self.conclusion_verbs = _words("conclusion_verbs")
        self.conclusion_nouns = _words("conclusion_nouns")
        self.source_kinds = SourceClassifier()
        self.speaking_words = self.reporting_verbs | self.stance_verbs | self.passive_verbs | self.conclusion_verbs | _words("speaking_words")
        self.person_heads = _words("person_heads")

    def __call__(self, doc: Doc) -> Doc:
        carried = carried_in(doc)  # the chunks of the article before this one (#16)
        sentences = list(doc.sents)
        ruled: list[list[Attribution]] = []
        named_before: list[bool] = []
        previous_named = carried.previous_named
        quoted = quote_regions(doc.text)
        for sent in sentences:
            recent = ruled[-2:] if len(ruled) >= 2 else [*carried.recent_ruled, *ruled][-2:]
            speaker_before = any(a.kind == "named" and not _first_person(a) for found in recent for a in found)
            here = [a for a in _without_inner_passives(self._in_sentence(sent, previous_named))
                    if not _not_a_source(a, quoted, speaker_before)] or self._clause_stance(sent, previous_named)
            ruled.append(here)
            named_before.append(previous_named)
            previous_named = previous_named or any(a.kind == "named" for a in here) or any(t.ent_type_ in {"PERSON", "ORG"} for t in sent)
        learned = {number: kept for number, found in self._learned(sentences, ruled, named_before).items()
                   if (kept := [a for a in found if not _not_a_source(a, quoted, speaker_before=False)])}
        direct: list[list[Attribution]] = []
        speakers = _Antecedents(doc, sentences, self.source_kinds.named_heads - self.person_heads, carried.antecedents)
        for number in range(len(sentences)):
            found = ruled[number] or learned.get(number, [])
            here = [speakers.resolve(a, number, found) for a in found]
            direct.append(here)
            speakers.spoke([a for a in here if a.kind == "named"], number)
        inherited = _continuations(doc, sentences, direct)
        found = [a for number, here in enumerate(direct) for a in (here or inherited.get(number, []))]
        doc._.set(EXTENSION, found)
        if sentences:  # what the next chunk starts from
            doc._.set(OUT_EXTENSION, {
                "previous_named": previous_named, "recent_ruled": tuple([*carried.recent_ruled, *ruled][-2:]), "antecedents": speakers.carried(),
                "previous_direct": tuple(direct[-1]), "previous_speaker": _speaker(direct[-1] or inherited.get(len(sentences) - 1, [])),
            })
        return doc

    def _learned(self, sentences: list[Span], ruled: list[list[Attribution]], named_before: list[bool]) -> dict[int, list[Attribution]]:
        """For sentences the rules leave unattributed: the trained classifier's most likely cue, when it is likely enough."""
        if self.cue_classifier is None:
            return {}
        hedged = {i for span in sentences[0].doc.spans.get(SPANS_KEY, []) for i in range(span.start, span.end)} if sentences else set()
        pending = [
            (number, candidate)
            for number, sent in enumerate(sentences)
            if not ruled[number]
            for candidate in candidates(sent)
            if not _hypothetical(candidate.cue, hedged)
        ]
        if not pending:
            return {}
        features = (candidate_features(candidate) for _, candidate in pending)
        probabilities = classify(self.cue_classifier, features, "ATTRIBUTION")
        found: dict[int, list[Attribution]] = {}
        for p, (number, candidate) in sorted(zip(probabilities, pending), key=lambda item: -item[0]):
            if number in found or p < self.threshold:
                continue
            source = _trim_source(candidate.source)
            kind = self.source_kinds.classify(source, named_before[number])
            if kind is None and (_pronoun_nobody(source) or not (candidate.cue.lemma_.lower() in self.speaking_words
                                                                  or source.root.lemma_.lower() in self.person_heads)):
                continue  # "The only body swerve the president performed": a phrase naming no one, doing no speaking (#17)
            kind = kind or SourceClassifier.default_kind(source)
            if kind == "vague" and p < self.vague_threshold:
                continue  # "authorities issued a warrant": an unnamed actor doing something is not a vague source
            cue = candidate.cue.doc[candidate.cue.i : candidate.cue.i + 1]
            found[number] = [Attribution("stance", cue, source, kind, confidence=round(p, 3))]
        return found

    def _in_sentence(self, sent: Span, previous_named: bool) -> list[Attribution]:
        doc = sent.doc
        found = self._headline_colon(sent, previous_named) + self._quote_signature(sent, previous_named)
        found += self._inverted_speech_tag(sent, previous_named)
        for token in sent:
            lower = token.lower_
            if lower == "according" and token.i + 1 < sent.end and doc[token.i + 1].lower_ == "to":
                objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
                if objects:
                    source = _trim_source(objects[0])
                    cue = doc[token.i : token.i + 2]
                    kind = self.source_kinds.classify(source, previous_named) or "vague"
                    found.append(Attribution("according_to", cue, source, kind))
            elif lower == "per" and token.pos_ == "ADP":
                relation = self._per(token, previous_named)
                if relation is not None:
                    found.append(relation)
            elif lower in self.vague_adverbs:
                found.append(Attribution("adverb", doc[token.i : token.i + 1], None, "vague"))
            elif token.pos_ == "VERB" and token.lemma_.lower() in self.conclusion_verbs:
                relation = self._conclusion(token, previous_named)
                if relation is not None:
                    found.append(relation)
            elif token.pos_ == "VERB" and token.lemma_.lower() in self.reporting_verbs | self.passive_verbs | self.stance_verbs:
                relation = self._verb_relation(token, previous_named)
                if relation is not None:
                    found.append(relation)
        return found

    def _clause_stance(self, sent: Span, previous_named: bool) -> list[Attribution]:
        """Someone named putting forward or holding a whole clause: "Trump charges that countries donated …",
        "The Press Council is concerned the laws would crush …" (a verb with a that-clause, a passive state with a clause)."""
        root = sent.root
        if root.pos_ != "VERB" or root.lemma_.lower() in INFERENTIAL_VERBS or _hypothetical(root, set()):
            return []
        passive = any(c.dep_ == "auxpass" for c in root.children)
        subject = next((c for c in root.children if c.dep_ == ("nsubjpass" if passive else "nsubj") and not inside_quotes(c)), None)
        clauses = [c for c in root.children if c.dep_ == "ccomp" and c.i > root.i and any(g.dep_ in {"nsubj", "nsubjpass"} for g in c.children)
                   and (passive or any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children))]
        if not clauses or subject is None or subject.pos_ == "PRON" or any(c.dep_ == "neg" for c in root.children):
            return []
        source = _trim_source(subject)
        if self.source_kinds.classify(source, previous_named) != "named":
            return []
        return [Attribution("reporting_verb", sent.doc[root.i : root.i + 1], source, "named")]

    def _conclusion(self, verb: Token, previous_named: bool) -> Attribution | None:
        """ "The Tax Policy Center came to a similar conclusion", "the auditors reached the same finding": someone
        named concluding is a source for what the text around says, like "concluded" (#9)."""
        things = [c for c in verb.children if c.dep_ == "dobj"]
        things += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in {"to", "at"} for g in c.children if g.dep_ == "pobj"]
        subject = next((c for c in verb.children if c.dep_ == "nsubj" and not inside_quotes(c)), None)
        if subject is None or not any(t.lower_ in self.conclusion_nouns for t in things) or any(c.dep_ == "neg" for c in verb.children):
            return None
        source = _trim_source(subject)
        if self.source_kinds.classify(source, previous_named) != "named":
            return None
        return Attribution("reporting_verb", verb.doc[verb.i : verb.i + 1], source, "named")

    def _per(self, token: Token, previous_named: bool) -> Attribution | None:
        """ "Per the agreement, …", "per Reuters": like "according to"; "$5 per share" is a rate, not a source."""
        objects = [c for c in token.children if c.dep_ == "pobj"]
        if not objects:
            return None
        head = objects[0]
        if not (head.pos_ == "PROPN" or any(c.dep_ in {"det", "poss"} for c in head.children)):
            return None
        source = _trim_source(head)
        kind = self.source_kinds.classify(source, previous_named) or "vague"
        return Attribution("according_to", token.doc[token.i : token.i + 1], source, kind)

    def _headline_colon(self, sent: Span, previous_named: bool) -> list[Attribution]:
        """News-headline attribution: "Trump: Cruz Has 'To Come a Long Way'", "Report: ..." (a short name, then a colon)."""
        words = [t for t in sent if not t.is_space]
        colon = next((i for i, t in enumerate(words[:6]) if t.text == ":"), None)
        if not colon or colon + 2 >= len(words):
            return []
        speaker = words[:colon]
        if any(t.lower_ in self.colon_labels for t in speaker):
            return []
        if not all(t.pos_ in {"PROPN", "NOUN", "DET", "PUNCT"} or t.ent_type_ for t in speaker):
            return []
        doc = sent.doc
        source = doc[speaker[0].i : speaker[-1].i + 1]
        cue = doc[words[colon].i : words[colon].i + 1]
        vague = speaker[-1].lemma_.lower() in self.source_kinds.vague_heads or speaker[-1].lower_ in self.source_kinds.vague_heads
        named = not vague and all(t.is_title or t.is_upper or t.is_punct for t in speaker)
        if named and not any(t.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"} for t in speaker) and not (
            len(speaker) == 1
        ):
            return []  # "Tech Enabled: …", "The Gap Goes On: …": a section title, not someone speaking ("Trump: …" is)
        return [Attribution("headline_colon", cue, source, "named" if named else "vague")]

    def _inverted_speech_tag(self, sent: Span, previous_named: bool) -> list[Attribution]:
        """ 'Said Ellis: "…"', 'Added one official: …': a speech verb first, the speaker, then a colon."""
        words = [t for t in sent if not t.is_space]
        if len(words) < 4 or words[0].lower_ not in INVERTED_SPEECH_VERBS:
            return []
        colon = next((i for i, t in enumerate(words[:MAX_SOURCE_TOKENS]) if t.text == ":"), None)
        if colon is None or colon < 2:
            return []
        doc = sent.doc
        source = doc[words[1].i : words[colon - 1].i + 1]
        kind = self.source_kinds.classify(source, previous_named) or self.source_kinds.default_kind(source)
        return [Attribution("reporting_verb", doc[words[0].i : words[0].i + 1], source, kind)]

    def _quote_signature(self, sent: Span, previous_named: bool) -> list[Attribution]:
        """A quotation signed after a dash: “… our greatest shame.” ― Sonya Herridge."""
        doc = sent.doc
        for token in sent:
            if token.text not in SIGNATURE_DASHES or token.i + 1 >= sent.end:
                continue
            previous = next((doc[i] for i in range(token.i - 1, -1, -1) if not doc[i].is_space), None)
            if previous is None or previous.text[-1] not in CLOSING_QUOTES or previous.i == 0:
                continue
            if doc[previous.i - 1].text[-1] not in ".!?…":
                continue  # '… a “con artist” ― just as he did': a dash inside the sentence, not a signature
            first = doc[token.i + 1]
            end = min(sent.end, first.i + MAX_SOURCE_TOKENS)
            while end > first.i + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
                end -= 1
            source = doc[first.i : end]
            kind = self.source_kinds.classify(source, previous_named)
            if kind is None and (first.pos_ == "PROPN" or first.ent_type_ or first.is_title):
                kind = "named"
            return [Attribution("quote_signature", doc[token.i : token.i + 1], source, kind)] if kind else []
        return []

    def _verb_relation(self, verb: Token, previous_named: bool) -> Attribution | None:
        children = list(verb.children)
        deps = {c.dep_ for c in children}
        if any(c.dep_ == "aux" and c.lower_ in MODALS_OF_HYPOTHESIS for c in children):
            return None
        lemma = verb.lemma_.lower()
        subjects = [c for c in children if c.dep_ == "nsubj"]
        # '"Full panic mode," said Leslie Wimes': a parse can make the quoted words a second subject
        subject = next((c for c in subjects if not inside_quotes(c)), subjects[0] if subjects else None)
        if len(subjects) > 1:  # "The combination, say economists, marks …": the inverted subject speaks
            subject = next((c for c in subjects if c.i > verb.i and not inside_quotes(c)), subject)
        if subject is None and (verb.dep_ == "conj" or verb.tag_ == "VBG" and verb.dep_ in {"advcl", "xcomp"}):
            # "Cruz took the stage, saying ..." / "Wilson praised Rubio and said ...": the governing verb's subject speaks.
            subject = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
        passive_subject = next((c for c in children if c.dep_ == "nsubjpass"), None)
        agent = next((c for c in children if c.dep_ == "agent"), None)
        doc = verb.doc
        if passive_subject is not None and lemma in self.passive_verbs:
            if agent is not None:
                objects = [c for c in agent.children if c.dep_ == "pobj"]
                if objects:
                    source = _trim_source(objects[0])
                    kind = self.source_kinds.classify(source, previous_named) or "vague"
                    return Attribution("reporting_verb", doc[verb.i : verb.i + 1], source, kind)
            reputation = any(c.dep_ == "prep" and c.lower_ in {"as", "like"} or c.dep_ == "advmod" and c.lower_ in REPUTATION_ADVERBS
                             for c in children)  # "has long been heralded as", "is usually told like this"
            if passive_subject.lower_ == "it" or deps & {"xcomp", "ccomp", "oprd"} or reputation:
                start = passive_subject.i if passive_subject.lower_ == "it" else min(c.i for c in children if c.dep_.startswith("aux"))
                cue = doc[min(start, verb.i) : verb.i + 1]
                return Attribution("passive", cue, None, "vague")  # "is expected": no one is named, so no source phrase (#17)
            return None
        if subject is not None and lemma in self.stance_verbs and deps & {"dobj", "xcomp", "ccomp", "oprd", "prep"}:
            source = _trim_source(subject)
            kind = self.source_kinds.classify(source, previous_named)
            if kind == "named":  # "Trump praised Rubio's plan": a stance taken by someone named
                return Attribution("stance", doc[verb.i : verb.i + 1], source, kind)
        if subject is None or lemma not in self.reporting_verbs:
            return None
        # "…, he added, …" and "…, she said." speak for the clause around them, before or after
        has_complement = bool(deps & {"ccomp", "xcomp"}) or verb.dep_ == "parataxis" or verb.dep_ == "ccomp" and verb.head.i < verb.i
        quoted = any(t.text in OPENING_QUOTES or t.text in {"”", "'"} for t in verb.sent)
        if lemma in self.verbs_needing_complement and not has_complement:
            return None
        if not (has_complement or quoted or lemma in {"say", "tell", "claim", "state", "write", "report", "announce", "warn", "declare", "tweet"}):
            return None
        source = _trim_source(subject)
        kind = self.source_kinds.classify(source, previous_named)
        if kind is None and lemma not in INFERENTIAL_VERBS and not _pronoun_nobody(source):
            kind = self.source_kinds.default_kind(source)
        return Attribution("reporting_verb", doc[verb.i : verb.i + 1], source, kind) if kind else None


def _first_person(attribution: Attribution) -> bool:
    source = attribution.source
    return source is not None and len(source) == 1 and source[0].lower_ in WRITER_PRONOUNS


def _not_a_source(attribution: Attribution, quoted: list[tuple[int, int]], speaker_before: bool) -> bool:
    """Relations a reader does not take as attributing the sentence to anyone (#9): the writer's own act outside any
    quotation ("I asked him how many minds he had changed", "We asked whether …") unless someone named spoke in the two
    sentences before (a page that drops quotation marks: "…, he said. I think …"), and a stance or act that is denied
    ("Trump did not unveil plans", "the Government does not deny that …")."""
    source, cue = attribution.source, attribution.cue
    if _first_person(attribution) and not speaker_before and source is not None:
        if not any(begin <= source[0].idx < end for begin, end in quoted):
            return True
    if attribution.pattern == "stance" and cue is not None:
        return any(c.dep_ == "neg" or c.lower_ in DENYING_ADVERBS for c in cue.root.children)
    return False


def _pronoun_nobody(source: Span) -> bool:
    """A source that is only a pronoun the classifier could not tie to anyone ("it", "that", "you", "who")."""
    return len(source) == 1 and source[0].lower_ in NOT_SPEAKERS | RELATIVE_PRONOUNS | {"it"}


def inside_quotes(token: Token) -> bool:
    """Whether the token sits between quotation marks in its sentence (or before a closing one opened earlier)."""
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > 0 and not doc[start].is_sent_start:  # cheaper than Token.sent, which walks the document
        start -= 1
    while end < len(doc) and not doc[end].is_sent_start:
        end += 1
    before = doc[start : token.i].text.replace("''", '"')
    after = doc[token.i : end].text.replace("''", '"')
    if before.count("“") > before.count("”") or before.count('"') % 2 == 1:
        return True
    return after.count("”") > after.count("“")


def _hypothetical(token: Token, hedged: set[int]) -> bool:
    """ "could demand", "is considering", "if the plan rejected": a verb that is itself speculation reports nobody's words."""
    return token.i in hedged or any(
        c.dep_ == "aux" and c.lower_ in MODALS_OF_HYPOTHESIS or c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"}
        for c in token.children
    )


def _without_inner_passives(found: list[Attribution]) -> list[Attribution]:
    """A passive such as "is expected" inside words a named speaker said is the speaker's, not a vague source."""
    if any(a.kind == "named" for a in found):
        return [a for a in found if a.pattern != "passive"]
    return found


def _name_of(source: Span) -> Span:
    """The words of a speaker's phrase that name them, for a reader: "Dr Jo Li, a chemist at Keele who studies soil" →
    "Dr Jo Li", "Lord Holme's" → "Lord Holme" (the phrase up to its head, without a possessive ending)."""
    doc, root = source.doc, source.root
    end = root.i + 1 if source.start <= root.i < source.end else source.end
    while end > source.start + 1 and (doc[end - 1].dep_ == "case" or doc[end - 1].is_punct):
        end -= 1
    return doc[source.start : end]


def _with_title(name: Span) -> Span:
    """A person's name with the title before it, which the entity recogniser leaves out: "Mr Obama", "Dr. Li"."""
    doc, start = name.doc, name.start
    while start > 0 and doc[start - 1].is_title and doc[start - 1].dep_ == "compound" and name.start <= doc[start - 1].head.i < name.end:
        start -= 1
    return doc[start : name.end]


@dataclass(frozen=True)
class CarriedAntecedents:
    """:class:`_Antecedents` at the end of a chunk, for the next one (#16); sentence numbers count back from its start.

    ``people``, ``bodies``, ``groups``: the names of the last ``ANTECEDENT_SENTENCES`` sentences; ``said_as``: the
    gender of a "he"/"she" taken to stand for a name so far; ``surnames``: every (surname, gender) a mention so far gave."""

    person: tuple[Span, int] | None = None
    organisation: tuple[Span, int] | None = None
    latest: tuple[Span, int] | None = None
    people: tuple[tuple[Span, int], ...] = ()
    bodies: tuple[tuple[Span, int], ...] = ()
    groups: tuple[tuple[Span, int], ...] = ()
    said_as: tuple[tuple[tuple[str, ...], str], ...] = ()
    surnames: frozenset[tuple[str, str]] = frozenset()


def _governs(verb: Token, pronoun: Token) -> bool:
    """The pronoun's clause hangs from ``verb`` ("Rubio spoke … as he congratulated"), or ``verb`` is an adverbial clause of
    the pronoun's own ("As Hartenstein realized …, he ordered"); not a clause the pronoun reports ("Trump isn't …, he said")."""
    return verb.is_ancestor(pronoun) or (verb.dep_ == "advcl" and verb.head == pronoun.head)


def _article_end(span: Span) -> int:
    """Where a span (of this chunk or an earlier one) ends in the article, in characters."""
    return carried_in(span.doc).offset + span.end_char


def _tokens_between(found: Span, pronoun: Token) -> list[Token]:
    """The tokens after ``found`` and before ``pronoun``; ``found`` may end the chunk before the pronoun's (#16)."""
    if found.doc is pronoun.doc:
        return list(pronoun.doc[found.end : pronoun.i])
    return [*found.doc[found.end :], *pronoun.doc[: pronoun.i]]


class _Antecedents:
    """Who a pronoun source stands for (#17): "he"/"she" → a person who is a subject before it in its own sentence, the
    person who spoke last, or else the person the text named
    last (within ``ANTECEDENT_SENTENCES``), skipping anyone the text clearly gives the other gender (``PersonGender``) and
    left unresolved when the nearest candidate's gender is unknown and another clearly fits; "it" → the organisation
    that spoke last; "they" (a named source) → the organisation or group that spoke or was named in this sentence or the
    one before, unless a plural noun or a person comes in between; never a name its own sentence names again after it;
    a quoted "I"/"we" → whoever spoke last.

    Only what comes before the pronoun counts, gender evidence included (a later "Mrs. Smith" says nothing of an earlier
    "she"), so a chunk that starts from the ``CarriedAntecedents`` of the chunks before resolves as the whole text would (#16)."""

    def __init__(self, doc: Doc, sentences: list[Span], organisation_heads: frozenset[str], carried: CarriedAntecedents | None = None) -> None:
        self.sentences = sentences
        self.organisation_heads = organisation_heads
        carried = carried or CarriedAntecedents()
        self.gender = PersonGender(doc, carried.surnames)
        self.people = [_with_title(e) for e in doc.ents if e.label_ == "PERSON"]
        self.bodies = [e for e in doc.ents if e.label_ in ORGANISATION_ENTITIES]
        self.groups = [e for e in doc.ents if e.label_ in GROUP_ENTITIES]
        # the chunks before this one (#16): sentence numbers there count back from this chunk's first (-1: the last one)
        self.person: tuple[Span, int] | None = carried.person  # (name, sentence number)
        self.said_as: dict[tuple[str, ...], str] = dict(carried.said_as)  # a name's words → the gender of a "he"/"she" already taken to stand for it
        self.organisation: tuple[Span, int] | None = carried.organisation
        self.latest: tuple[Span, int] | None = carried.latest
        self.earlier = {"people": carried.people, "bodies": carried.bodies, "groups": carried.groups}

    def carried(self) -> CarriedAntecedents:
        """What the next chunk needs: the last speakers, the names of the last ``ANTECEDENT_SENTENCES`` sentences, and
        the gender evidence so far."""
        count = len(self.sentences)
        sentence_of = {sent.start: number for number, sent in enumerate(self.sentences)}
        starts = sorted(sentence_of)

        def numbered(names: list[Span]) -> tuple[tuple[Span, int], ...]:
            return tuple((name, sentence_of[starts[bisect_right(starts, name.start) - 1]]) for name in names)

        def shift(found: tuple[Span, int] | None) -> tuple[Span, int] | None:
            return None if found is None or found[1] - count < -ANTECEDENT_SENTENCES - 1 else (found[0], found[1] - count)

        def recent(kind: str) -> tuple[tuple[Span, int], ...]:
            return tuple((name, number - count) for name, number in (*self.earlier[kind], *numbered(getattr(self, kind)))
                         if number - count >= -ANTECEDENT_SENTENCES)

        return CarriedAntecedents(shift(self.person), shift(self.organisation), shift(self.latest), recent("people"), recent("bodies"),
                                  recent("groups"), tuple(self.said_as.items()), self.gender.carried())

    def _window(self, kind: str, token: Token, number: int, sentences: int) -> list[Span]:
        """The ``kind`` of names (``people``, ``bodies``, ``groups``) from ``sentences`` sentences before sentence ``number``
        up to ``token``, in text order: those of the chunks before this one, then this chunk's."""
        earlier = [name for name, at in self.earlier[kind] if at >= number - sentences] if number - sentences < 0 else []
        start = self.sentences[max(0, number - sentences)].start
        return [*earlier, *(e for e in getattr(self, kind) if start <= e.start and e.end <= token.i)]

    def _organisation(self, name: Span) -> bool:
        root = name.root
        return root.ent_type_ in ORGANISATION_ENTITIES or root.lemma_.lower() in self.organisation_heads

    def spoke(self, named: list[Attribution], number: int) -> None:
        """Remember the named speakers of sentence ``number`` (a pronoun counts only once resolved)."""
        for attribution in named:
            source = attribution.refers_to or attribution.source
            if source is None or (len(source) == 1 and source[0].pos_ == "PRON"):
                continue
            name = _name_of(source)
            self.latest = (name, number)
            if self._organisation(name):
                self.organisation = (name, number)
            else:
                self.person = (name, number)
                said = PRONOUN_GENDER.get(attribution.source[0].lower_) if attribution.refers_to is not None and attribution.source else None
                if said is not None and (words := self.gender.name_words(name)):
                    self.said_as.setdefault(words, said)
            return

    def _recent(self, found: tuple[Span, int] | None, number: int) -> Span | None:
        return found[0] if found is not None and number - found[1] <= ANTECEDENT_SENTENCES else None

    def _named_before(self, kind: str, token: Token, number: int, sentences: int) -> Span | None:
        before = [e for e in self._window(kind, token, number, sentences) if e.root.pos_ != "PRON"]
        return before[-1] if before else None

    def _named_again(self, name: Span, pronoun: Token) -> bool:
        """The pronoun's own clause names ``name`` again after it, so the pronoun is someone else ("They said Greenpeace
        had …", "allegations that he misled Mr Okafor"); another of a family ("Ivana Trump", "Mrs. Trump" after "Mr. Trump")
        is no match."""
        scope = [t for t in pronoun.head.subtree if t.i > pronoun.i]
        if not scope:
            return False
        words = self.gender.name_words(name)
        doc = pronoun.doc
        for token in doc[scope[0].i : scope[-1].i + 1]:
            if token.ent_iob_ != "B":
                if not words and token.lemma_.lower() == name.root.lemma_.lower():
                    return True  # "the company" … "the company"
                continue
            end = token.i + 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            if doc[token.i : end].root.dep_ == "compound":
                continue  # "holding a Rubio sign" names a sign, not Rubio
            other = self.gender.name_words(doc[token.i : end])
            if other and (other == words or (len(other) == 1 and words and other[0] == words[-1])) \
                    and not self.gender.clashes(titled(doc[token.i : end]), pronoun.lower_, pronoun.i):  # "he … the former Mrs. Trump"
                return True
        return False

    def _clashes(self, name: Span, pronoun: Token) -> bool:
        """``pronoun`` cannot stand for ``name``: the text gives that person the other gender, or a "she" already stood for
        them where this is "he" (the "Clinton" a "she" was taken to be is no "he")."""
        said = self.said_as.get(self.gender.name_words(name))
        return self.gender.clashes(name, pronoun.lower_, pronoun.i) or (said is not None and said != PRONOUN_GENDER[pronoun.lower_])

    def _person(self, pronoun: Token, number: int) -> Span | None:
        """The person "he"/"she" stands for: a person who is the subject of a clause its own clause hangs from, else the last speaker
        unless the text gives them the other gender, else the nearest person named before who may be meant; None when that
        one's gender is unknown and another clearly fits."""
        sentence = self.sentences[number]
        subjects = [e for e in self.people if sentence.start <= e.start and e.end <= pronoun.i and e.root.dep_ in {"nsubj", "nsubjpass"}
                    and _governs(e.root.head, pronoun) and not self._clashes(e, pronoun) and not self._named_again(e, pronoun)]
        if subjects:  # "Marco Rubio spoke over boos as he congratulated …", not "Trump isn't a conservative, he said"
            return subjects[-1]
        speaker = self._recent(self.person, number)
        if speaker is not None and not self._clashes(speaker, pronoun) and not self._named_again(speaker, pronoun):
            return speaker
        before = [e for e in reversed(self._window("people", pronoun, number, ANTECEDENT_SENTENCES)) if e.root.pos_ != "PRON" and e.root.text[:1].isupper()]
        fitting = [e for e in before if not self._clashes(e, pronoun) and not self._named_again(e, pronoun)]
        if not fitting:
            return None
        nearest, wanted = fitting[0], PRONOUN_GENDER[pronoun.lower_]
        weak = len(self.gender.name_words(nearest)) < 2  # one word ("Obama", a mis-tagged "Twitter") may be anyone
        if self.gender.of(nearest, pronoun.i) is None and any(self.gender.of(e, pronoun.i) == wanted and e.text != nearest.text
                                                              and (weak or e.sent == nearest.sent) for e in fitting[1:]):
            return None  # "Mr Park met Jo Kim. He said …": Jo Kim may be a man too, Mr Park clearly is one
        return nearest

    def _group(self, pronoun: Token, number: int) -> Span | None:
        """The organisation or group "they" stands for: one that spoke in this sentence or the one before, or else the
        nearest ORG / NORP entity that is a subject there; None when a plural noun or a person comes between ("Workers were
        angry. They said …") or the group is named again after the pronoun."""
        speaker = self.organisation if self.organisation is not None and number - self.organisation[1] <= 1 else None
        subjects = [e for e in self._window("groups", pronoun, number, 1) if e.root.dep_ in {"nsubj", "nsubjpass"}]
        named = subjects[-1] if subjects else None  # "Democrats in the Senate met": the Democrats, not the Senate
        candidates = [c for c in (speaker[0] if speaker else None, named) if c is not None]
        if not candidates:
            return None
        found = max(candidates, key=_article_end)
        if any(t.tag_ in {"NNS", "NNPS"} and not t.ent_type_ or t.ent_type_ == "PERSON" for t in _tokens_between(found, pronoun)):
            return None  # "That frustrates many analysts because they believe …": the analysts may be meant
        return None if self._named_again(found, pronoun) else found

    def resolve(self, attribution: Attribution, number: int, sentence: list[Attribution]) -> Attribution:
        """``attribution`` with ``refers_to`` set when its source is a pronoun this can tie to a name; ``sentence``: all of its sentence's."""
        source = attribution.source
        if source is None or len(source) != 1 or source[0].pos_ != "PRON" or attribution.refers_to is not None:
            return attribution
        word = source[0].lower_
        if word in PERSON_PRONOUNS:
            found = self._person(source[0], number)
        elif word in GROUP_PRONOUNS:
            found = self._group(source[0], number) if attribution.kind == "named" else None
        elif word == "it":  # the organisation that spoke, or else one named in this sentence or the one before
            found = self._recent(self.organisation, number) or self._named_before("bodies", source[0], number, 1)
        elif word in QUOTED_FIRST_PERSON and inside_quotes(source[0]):  # '"I think …," Senator Adler said': the one who said it
            tag = next((a.source for a in sentence if a.kind == "named" and a.source is not None and a.source.root.pos_ != "PRON"
                        and not inside_quotes(a.source[0])), None)
            found = _name_of(tag) if tag is not None else self._recent(self.latest, number)
        else:
            found = None
        if found is None or found.root.pos_ == "PRON" or (found.doc is source.doc and found.start <= source.start < found.end):
            return attribution
        return dataclasses.replace(attribution, refers_to=found)


def _is_quotation(sent: Span) -> bool:
    first = next((t for t in sent if not t.is_space), None)
    return first is not None and (first.text in OPENING_QUOTES or first.text.startswith("''"))


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations: “…” pairs and straight "…" pairs; an unclosed quote ends at the line."""
    text = text.replace("''", '"\x00')  # "''Even today, …''": two apostrophes are a straight quotation mark (same length)
    regions, start, straight = [], None, False
    for i, char in enumerate(text):
        if start is None and char in "“\"":
            start, straight = i, char == '"'
        elif start is not None and (char == "”" or (straight and char == '"')):
            regions.append((start, i + 1))
            start = None
        elif start is not None and char == "\n":
            regions.append((start, i))
            start = None
    if start is not None:
        regions.append((start, len(text)))
    return regions


def _speaker(attributions: list[Attribution]) -> Attribution | None:
    """Who speaks for a sentence: a source outside quotation marks before one inside them ('"I …," Adler said': Adler)."""
    sourced = [a for a in attributions if a.source is not None]
    return next((a for a in sourced if not inside_quotes(a.source[0])), sourced[0] if sourced else None)


def _continuations(doc: Doc, sentences: list[Span], direct: list[list[Attribution]]) -> dict[int, list[Attribution]]:
    """Sentences with no attribution of their own that continue someone's words.

    Inside a quotation spanning several sentences, every sentence speaks for the quotation's speaker
    (found in any of its sentences, in a dash signature just after it, or in a sentence ending with
    ':' just before it). A sentence that
    opens with a quote mark, or follows an attributed sentence ending with ':', continues the previous speaker.
    """
    inherited: dict[int, list[Attribution]] = {}

    def inherit(number: int, origin: Attribution) -> None:
        if not direct[number] and number not in inherited:
            sent = sentences[number]
            inherited[number] = [Attribution("continuation", None, origin.source, origin.kind, anchor=sent.start, refers_to=origin.refers_to)]

    starts, ends = [sent.start_char for sent in sentences], [sent.end_char for sent in sentences]
    text = doc.text  # Doc.text joins every token: build it once
    carried = carried_in(doc)  # the sentence before this chunk, its own relations and its speaker (#16)
    colon_before = carried.previous_sentence is not None and carried.previous_sentence.text.rstrip().endswith(":")
    for start, end in quote_regions(text):
        inside = range(bisect_right(ends, start), bisect_left(starts, end))  # sentences overlapping the quotation
        # a sentence the parser gave only the opening mark of the quotation ("… come up with one. ''") may name its
        # speaker ("Mr. Bush declared. ''"), but does not itself speak for it
        opening_only = {n for n in inside if ends[n] - start <= 4 and text[start : ends[n]].strip() in {'"', "“", "''"}}
        if not inside:
            continue
        after = inside[-1] + 1
        signed = next((a for a in direct[after] if a.pattern == "quote_signature"), None) if after < len(sentences) else None
        if len(inside) < 2 and signed is None:
            continue
        speaker = signed or next((_speaker(direct[n]) for n in inside if _speaker(direct[n])), None)
        before = inside[0] - 1
        if speaker is None and before >= 0 and sentences[before].text.rstrip().endswith(":"):
            speaker = _speaker(direct[before])
        elif speaker is None and before < 0 and colon_before:
            speaker = _speaker(list(carried.previous_direct))
        if speaker is not None:
            for number in inside:
                if number not in opening_only:
                    inherit(number, speaker)
    for number in range(len(sentences)):
        if number == 0:
            previous, colon = carried.previous_speaker, colon_before
        else:
            previous = _speaker(direct[number - 1] or inherited.get(number - 1, []))
            colon = sentences[number - 1].text.rstrip().endswith(":")
        if previous is None:
            continue
        if _is_quotation(sentences[number]) or colon:
            inherit(number, previous)
    return inherited


@Language.factory(
    "sourcewise_attribution",
    default_config={"classifier": "models/attribution_classifier", "threshold": 0.4, "vague_threshold": 0.7},
)
def make_attribution_finder(
    nlp: Language, name: str, classifier: str | None, threshold: float, vague_threshold: float
) -> AttributionFinder:
    """spaCy factory for :class:`AttributionFinder`."""
    return AttributionFinder(nlp, name, classifier=classifier, threshold=threshold, vague_threshold=vague_threshold)

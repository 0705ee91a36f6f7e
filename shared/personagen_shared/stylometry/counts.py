"""Counting a text once: every raw count the metrics are computed from.

:func:`_count` makes one pass over the sentences and the distinct words and returns
:class:`_Counts`; ``metrics`` turns it into rates. Syllables come from ``textstat`` (CMUdict,
falling back to Pyphen hyphenation), once per distinct word (:func:`_word_shape`);
:func:`warm_up` loads the dictionary ahead of the first text. MTLD is counted here
(McCarthy & Jarvis 2010, :func:`mtld`); everything else (contractions, pronouns, passive
voice, asides, quotations, lists, ellipses, transitions, hedges, numbers, subordinate clauses)
is counted with the word lists of ``wordlists`` and the patterns of ``tokens``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import textstat

from personagen_shared.stylometry.tokens import (
    _DASH_ASIDE,
    _DOUBLE_QUOTE,
    _DRAMA_LINE,
    _ELLIPSIS,
    _ENUMERATOR,
    _HAS_LETTER,
    _LIST_ITEM,
    _PAREN_ASIDE,
    _PERCENT,
    _PHRASE_KIND,
    _PHRASES_RE,
    _PRONOUN_I,
    _PRONOUN_US,
    _QUOTE_MARKS,
    _SENTENCE_END,
    _SINGLE_QUOTE,
    WORD_RE,
    split_paragraphs,
    split_sentences,
)
from personagen_shared.stylometry.wordlists import (
    BE_FORMS,
    CLAUSE_STARTERS,
    CONTRACTION_SUFFIXES,
    DRAMA_LABELS_NOT_SPEAKERS,
    ED_NOT_PARTICIPLES,
    FIRST_PERSON,
    HEDGE_WORDS,
    IRREGULAR_PARTICIPLES,
    PASSIVE_GAP_WORDS,
    S_CONTRACTION_BASES,
    SECOND_PERSON,
    SPEECH_VERBS,
    SUBJECT_STARTERS,
    SUBORDINATORS,
    SUBORDINATORS_BEFORE_SUBJECT,
    THIRD_PERSON,
    TRANSITION_WORDS,
)

# --------------------------------------------------------------------------------------------
# Counters
# --------------------------------------------------------------------------------------------


def mtld(tokens: Sequence[str], threshold: float = 0.72) -> float:
    """Measure of Textual Lexical Diversity (McCarthy & Jarvis 2010, Behav. Res. Methods 42).

    Walks the tokens keeping a running type-token ratio (TTR); each time it falls to
    ``threshold`` (0.72, the authors' value) a *factor* is complete and the count restarts.
    The remainder adds a partial factor ``(1 - TTR) / (1 - threshold)``. MTLD is tokens per
    factor, averaged over a forward and a backward pass.

    Args:
        tokens: lower-cased words.
        threshold: the TTR at which a factor ends.

    Returns:
        Words per factor (higher = more diverse; typical prose 60-120). Texts whose TTR
        never falls (all words distinct) return their length.
    """
    if not tokens:
        return 0.0

    def one_pass(sequence: Iterable[str]) -> float:
        factors = 0.0
        types: set[str] = set()
        count = 0
        for token in sequence:
            count += 1
            types.add(token)
            if len(types) / count <= threshold:
                factors += 1
                types = set()
                count = 0
        if count:
            factors += (1 - len(types) / count) / (1 - threshold)
        return len(tokens) / factors if factors else float(len(tokens))

    return (one_pass(tokens) + one_pass(reversed(tokens))) / 2


def _is_contraction(lower: str) -> bool:
    if "'" not in lower:
        return False
    base, _, suffix = lower.rpartition("'")
    if not base or not suffix:
        return False
    if lower.endswith("n't") or "'" + suffix in CONTRACTION_SUFFIXES:
        return True
    return suffix == "s" and base in S_CONTRACTION_BASES


def _count_words(counter: Counter[str], vocabulary: frozenset[str]) -> int:
    return sum(counter[w] for w in vocabulary)


def _quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in the paragraph, marks included, in order."""
    spans = [m.span() for m in _DOUBLE_QUOTE.finditer(paragraph)]
    for match in _SINGLE_QUOTE.finditer(paragraph):
        start, end = match.span()
        if not any(s <= start < e for s, e in spans):
            spans.append((start, end))
    return sorted(spans)


def _has_speech_verb(fragment: str) -> bool:
    return any(w.lower() in SPEECH_VERBS for w in WORD_RE.findall(fragment))


@dataclass(slots=True)
class _QuoteCounts:
    quotations: int = 0
    quoted_words: int = 0
    dialogue_quotations: int = 0
    dialogue_words: int = 0


def _count_quotes(paragraphs: Sequence[str]) -> _QuoteCounts:
    counts = _QuoteCounts()
    drama = [p for p in paragraphs if _is_drama_line(p)]
    # A script layout ("Name: speech") needs at least two such paragraphs.
    drama_set = set(drama) if len(drama) >= 2 else set()
    for paragraph in paragraphs:
        if paragraph in drama_set:
            words = len(WORD_RE.findall(paragraph.split(":", 1)[1]))
            counts.dialogue_quotations += 1
            counts.dialogue_words += words
            continue
        if not _QUOTE_MARKS.search(paragraph):
            continue
        for start, end in _quote_spans(paragraph):
            inner = paragraph[start + 1 : end - 1]
            words = len(WORD_RE.findall(inner))
            if not words:
                continue
            counts.quotations += 1
            counts.quoted_words += words
            # Dialogue: a reporting verb in the same sentence, within 60 characters of the
            # quotation ("said X", "asked Minsky"), or a quotation that is (nearly) the whole
            # paragraph.
            before = _SENTENCE_END.split(paragraph[max(0, start - 60) : start])[-1]
            after = _SENTENCE_END.split(paragraph[end : end + 60], maxsplit=1)[0]
            around = before + " " + after
            alone = start == 0 and (end - start) >= 0.8 * len(paragraph) and words >= 2
            if alone or _has_speech_verb(around):
                counts.dialogue_quotations += 1
                counts.dialogue_words += words
    return counts


def _is_drama_line(paragraph: str) -> bool:
    match = _DRAMA_LINE.match(paragraph)
    return match is not None and match.group(1).strip().lower() not in DRAMA_LABELS_NOT_SPEAKERS


def _count_asides(text: str) -> int:
    asides = 0
    for match in _PAREN_ASIDE.finditer(text):
        inner = match.group(1)
        # "(i)", "(a)", "(2)" enumerate; "(50%)" restates a number: neither is an aside.
        if _ENUMERATOR.match(inner) or not _HAS_LETTER.search(inner):
            continue
        asides += 1
    asides += len(_DASH_ASIDE.findall(text))
    return asides


def _passives(lower_words: Sequence[str]) -> int:
    """Passive constructions in one sentence's lower-case words.

    Heuristic (no parser): a form of "be" (:data:`BE_FORMS`, or a pronoun's 're/'m/'s),
    up to two gap words (:data:`PASSIVE_GAP_WORDS`, any -ly adverb), then a past participle:
    a word of :data:`IRREGULAR_PARTICIPLES` or a word of 5+ letters in -ed not in
    :data:`ED_NOT_PARTICIPLES`. Misses get-passives and participles not listed; counts
    be + adjective in -ed ("is tired") and "he's gone" (has) as passives.
    """
    found = 0
    n = len(lower_words)
    resume = 0  # words before this index belong to a passive already counted
    for i, word in enumerate(lower_words):
        if i < resume:
            continue
        if word not in BE_FORMS and (
            "'" not in word
            or not (
                word.endswith(("'re", "'m"))
                or (word.endswith("'s") and word[:-2] in S_CONTRACTION_BASES)
            )
        ):
            continue
        j = i + 1
        gaps = 0
        while (
            j < n
            and gaps < 2
            and (lower_words[j] in PASSIVE_GAP_WORDS or lower_words[j].endswith("ly"))
        ):
            j += 1
            gaps += 1
        if j >= n:
            continue
        candidate = lower_words[j]
        if candidate in IRREGULAR_PARTICIPLES or (
            len(candidate) > 4 and candidate.endswith("ed") and candidate not in ED_NOT_PARTICIPLES
        ):
            found += 1
            resume = j + 1  # "is being eaten" is one passive, not two
    return found


def _subordinators(lower_words: Sequence[str]) -> int:
    found = 0
    n = len(lower_words)
    for i, word in enumerate(lower_words):
        if word in SUBORDINATORS:
            found += 1
        elif i + 1 < n:
            following = lower_words[i + 1]
            if (word == "that" and following in CLAUSE_STARTERS) or (
                word in SUBORDINATORS_BEFORE_SUBJECT and following in SUBJECT_STARTERS
            ):
                found += 1
    return found


@dataclass(slots=True)
class _Counts:
    """Everything counted in one pass; the metrics and traits are computed from it."""

    words: int
    sentences: int
    sentence_lengths: list[int]
    letter_words: int  # words containing a letter (numbers excluded)
    letters: int
    letters_squared: int  # sum of squared word lengths, for the standard deviation
    syllables: int
    polysyllables: int
    mtld: float
    contractions: int
    first: int
    second: int
    third: int
    question_sentences: int
    exclamation_sentences: int
    passives: int
    passive_sentences: int
    asides: int
    quotes: _QuoteCounts
    list_items: int
    lines: int
    ellipses: int
    transitions: int
    hedges: int
    numbers: int
    percentages: int
    subordinators: int


@lru_cache(maxsize=65_536)
def _word_shape(word: str) -> tuple[int, int]:
    """``(letters, syllables)`` of a lower-case word; ``(0, 0)`` for a number.

    Syllables come from textstat (CMUdict, else Pyphen) part by part for hyphenated words,
    once per distinct word and cached here: textstat re-tokenises its argument on every call
    and its own caches hold 128 entries.
    """
    letters = sum(1 for ch in word if ch.isalpha())
    if not letters:
        return 0, 0
    syllables = 0
    for part in word.split("-"):
        if any(ch.isalpha() for ch in part):
            syllables += max(1, int(textstat.syllable_count(part)))
    return letters, syllables


def warm_up() -> None:
    """Load textstat's CMU pronunciation dictionary now (about 1 s and 70 MB, once)."""
    textstat.syllable_count("warm")


def _count(text: str) -> _Counts:
    paragraphs = split_paragraphs(text)
    sentences = split_sentences(paragraphs)
    lower_words: list[str] = []
    lengths: list[int] = []
    questions = exclamations = passives = passive_sentences = subordinators = 0
    for sentence in sentences:
        # Lower-case the sentence once rather than each word; "I" and "us" are counted on
        # the original text below, where case tells the pronoun from "(i)" and "US".
        words = WORD_RE.findall(sentence.lower().replace("\u2019", "'"))
        lengths.append(len(words))
        lower_words.extend(words)
        if "?" in sentence:
            questions += 1
        if "!" in sentence:
            exclamations += 1
        found = _passives(words)
        passives += found
        passive_sentences += found > 0
        subordinators += _subordinators(words)
    counter = Counter(lower_words)
    letter_words = letters = letters_squared = syllables = polysyllables = numbers = 0
    contractions = 0
    first = len(_PRONOUN_I.findall(text)) + len(_PRONOUN_US.findall(text))
    first += sum(counter[w] for w in FIRST_PERSON if w not in ("i", "us"))
    second = sum(counter[w] for w in SECOND_PERSON)
    third = sum(counter[w] for w in THIRD_PERSON)
    for word, n in counter.items():
        word_letters, word_syllables = _word_shape(word)
        if not word_letters:
            numbers += n
            continue
        letter_words += n
        letters += n * word_letters
        letters_squared += n * word_letters * word_letters
        syllables += n * word_syllables
        if word_syllables >= 3:
            polysyllables += n
        if "'" in word:
            if _is_contraction(word):
                contractions += n
            base = word.split("'", 1)[0]
            if base in SECOND_PERSON:
                second += n
            elif base in THIRD_PERSON:
                third += n
            elif base == "we":
                first += n
    phrases = Counter(
        _PHRASE_KIND[" ".join(match.split())]
        for match in _PHRASES_RE.findall(text.lower().replace("\u2019", "'"))
    )
    lines = [line for line in text.splitlines() if line.strip()]
    return _Counts(
        words=len(lower_words),
        sentences=len(sentences),
        sentence_lengths=lengths,
        letter_words=letter_words,
        letters=letters,
        letters_squared=letters_squared,
        syllables=syllables,
        polysyllables=polysyllables,
        mtld=mtld([w for w in lower_words if _word_shape(w)[0]]),
        contractions=contractions,
        first=first,
        second=second,
        third=third,
        question_sentences=questions,
        exclamation_sentences=exclamations,
        passives=passives,
        passive_sentences=passive_sentences,
        asides=_count_asides(text),
        quotes=_count_quotes(paragraphs),
        list_items=len(_LIST_ITEM.findall(text)),
        lines=len(lines),
        ellipses=len(_ELLIPSIS.findall(text)),
        transitions=_count_words(counter, TRANSITION_WORDS) + phrases["transition"],
        hedges=_count_words(counter, HEDGE_WORDS) + phrases["hedge"],
        numbers=numbers,
        percentages=len(_PERCENT.findall(text)),
        subordinators=subordinators + phrases["subordinator"],
    )

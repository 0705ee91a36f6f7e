"""Every stylometric metric on small texts whose right answer is counted by hand in comments."""

from __future__ import annotations

import json

import pytest

from personagen_shared.normalize import normalise_traits
from personagen_shared.stylometry import MEASURED_TRAITS, analyse_text, measure, mtld
from personagen_shared.stylometry.metrics import readability
from personagen_shared.stylometry.tokens import split_paragraphs, split_sentences


def metric(text: str, name: str) -> float:
    return measure(text).metrics[name]["value"]


def test_sentence_and_word_lengths() -> None:
    text = "The cat sat. The dog ran far away. Birds fly."
    # Sentences of 3, 5 and 2 words: mean 10/3; deviations -1/3, 5/3, -4/3 -> variance 14/9.
    assert metric(text, "word_count") == 10
    assert metric(text, "sentence_count") == 3
    assert metric(text, "sentence_length_mean") == pytest.approx(10 / 3, abs=1e-4)
    assert metric(text, "sentence_length_sd") == pytest.approx((14 / 9) ** 0.5, abs=1e-4)
    # Letters: 3+3+3+3+3+3+3+4+5+3 = 33 in 10 words.
    assert metric(text, "word_length_mean") == pytest.approx(3.3)
    # Syllables (CMUdict): one each, "away" two -> 11 / 10.
    assert metric(text, "syllables_per_word") == pytest.approx(1.1)


def test_units_are_reported() -> None:
    metrics = measure("The cat sat. The dog ran far away. Birds fly.").metrics
    assert metrics["sentence_length_mean"]["unit"] == "words per sentence"
    assert metrics["word_length_mean"]["unit"] == "letters per word"
    assert metrics["contraction_rate"]["unit"] == "per 1000 words"
    assert metrics["first_person_share"]["unit"] == "share 0..1"
    assert all(m["description"] for m in metrics.values())


def test_sentence_splitting_keeps_abbreviations_and_initials() -> None:
    text = (
        "Dr. Smith met Mr. Jones at 5 p.m. today. They talked, e.g. about cats. "
        "A. M. Kuchling wrote it. Was it fun? Yes! It was."
    )
    assert split_sentences(split_paragraphs(text)) == [
        "Dr. Smith met Mr. Jones at 5 p.m. today.",
        "They talked, e.g. about cats.",
        "A. M. Kuchling wrote it.",
        "Was it fun?",
        "Yes!",
        "It was.",
    ]


def test_list_items_and_blank_lines_end_sentences() -> None:
    text = "Steps\n- open the lid\n- pour the tea\n\nThen drink it"
    assert split_sentences(split_paragraphs(text)) == [
        "Steps",
        "- open the lid",
        "- pour the tea",
        "Then drink it",
    ]


def test_readability_formulas_by_hand() -> None:
    # 10 words, 3 sentences, 11 syllables, 33 letters, no word of 3+ syllables.
    grades = readability(
        words=10, sentences=3, letter_words=10, letters=33, syllables=11, polysyllables=0
    )
    asl, asw = 10 / 3, 1.1
    assert grades["flesch_reading_ease"] == pytest.approx(206.835 - 1.015 * asl - 84.6 * asw)
    assert grades["flesch_kincaid_grade"] == pytest.approx(0.39 * asl + 11.8 * asw - 15.59)
    assert grades["gunning_fog"] == pytest.approx(0.4 * asl)
    assert grades["coleman_liau_index"] == pytest.approx(0.0588 * 330 - 0.296 * 30 - 15.8)
    assert grades["automated_readability_index"] == pytest.approx(4.71 * 3.3 + 0.5 * asl - 21.43)
    assert measure("The cat sat. The dog ran far away. Birds fly.").metrics["flesch_reading_ease"][
        "value"
    ] == pytest.approx(206.835 - 1.015 * asl - 84.6 * asw, abs=1e-3)
    assert set(
        readability(
            words=0, sentences=0, letter_words=0, letters=0, syllables=0, polysyllables=0
        ).values()
    ) == {0.0}


def test_mtld_by_hand() -> None:
    # a b a | b a b: the TTR falls to 2/3 <= 0.72 after three words, twice -> 2 factors, no rest.
    assert mtld(["a", "b", "a", "b", "a", "b"]) == pytest.approx(3.0)
    # Forward "a b a | c": 1 factor + rest TTR 1 (adds 0) -> 4/1. Backward "c a b a": TTR 3/4
    # at the end, rest (1 - 0.75) / 0.28 -> 4 / 0.892857.
    assert mtld(["a", "b", "a", "c"]) == pytest.approx((4 + 4 / (0.25 / 0.28)) / 2)
    # All words distinct: the TTR never falls; MTLD is the text's length.
    assert mtld(["a", "b", "c", "d"]) == pytest.approx(4.0)
    assert mtld([]) == 0.0


def test_contractions() -> None:
    text = (
        "I can't go. You won't stay. It's late and they're tired. "
        "The program's input is fine. Let's go."
    )
    # can't, won't, It's, they're, Let's = 5 in 18 words; "program's" is a possessive.
    assert metric(text, "word_count") == 18
    assert metric(text, "contraction_rate") == pytest.approx(5 / 18 * 1000, abs=1e-3)
    assert metric("I don\u2019t know.", "contraction_rate") == pytest.approx(1 / 3 * 1000, abs=1e-3)


def test_pronoun_shares() -> None:
    text = (
        "I like my cat. We love our dog. You and your friend. He saw her. They met them. It works."
    )
    # First: I, my, We, our (4); second: You, your (2); third: He, her, They, them, It (5).
    assert metric(text, "first_person_share") == pytest.approx(4 / 11, abs=1e-4)
    assert metric(text, "second_person_share") == pytest.approx(2 / 11, abs=1e-4)
    assert metric(text, "third_person_share") == pytest.approx(5 / 11, abs=1e-4)
    assert metric(text, "pronoun_rate") == pytest.approx(11 / 20 * 1000, abs=1e-3)
    assert metric(text, "first_second_person_rate") == pytest.approx(6 / 20 * 1000, abs=1e-3)


def test_pronoun_i_is_not_io_or_an_enumerator_and_us_is_not_the_country() -> None:
    text = "Use I/O here. See (i) above. The US army. They told us. I'm sure."
    # Only "us" and "I'm" are first person; "They" is third.
    assert metric(text, "first_person_share") == pytest.approx(2 / 3, abs=1e-4)


def test_questions_and_exclamations_per_sentence() -> None:
    text = "Is it? No! Really? Yes."
    assert metric(text, "question_rate") == pytest.approx(0.5)
    assert metric(text, "exclamation_rate") == pytest.approx(0.25)


def test_passive_voice() -> None:
    text = (
        "The window was broken by the boy. The cake is being eaten. She has been told. "
        "He ran home. It is indeed red."
    )
    # was broken, is being eaten (one passive), has been told; "is indeed" is no passive.
    assert metric(text, "passive_rate") == pytest.approx(3 / 5)
    assert metric(text, "passive_per_1000_words") == pytest.approx(3 / 23 * 1000, abs=1e-3)
    assert metric("The files are not usually deleted.", "passive_rate") == 1.0
    assert metric("The files are here.", "passive_rate") == 0.0


def test_parenthetical_asides() -> None:
    text = (
        "He said (quietly) that it works [see below]. It failed (i) twice and (2) once. "
        "Use pipe(2) now. The fix -- a hack -- works."
    )
    # (quietly), [see below] and the dash pair; (i), (2) and pipe(2) are no asides. 24 words.
    assert metric(text, "word_count") == 24
    assert metric(text, "parenthetical_rate") == pytest.approx(3 / 24 * 1000, abs=1e-3)


def test_quotations_and_dialogue() -> None:
    text = '"Come here," said Tom. She wrote "done" on it. The word \'magic\' was there.'
    # Three quotations in 14 words; only the first has a reporting verb in its sentence.
    assert metric(text, "word_count") == 14
    assert metric(text, "quotation_rate") == pytest.approx(3 / 14 * 1000, abs=1e-3)
    assert metric(text, "dialogue_rate") == pytest.approx(1 / 14 * 1000, abs=1e-3)
    assert metric(text, "dialogue_word_share") == pytest.approx(2 / 14, abs=1e-4)
    # A paragraph that is one quotation is a line of dialogue on its own.
    assert (
        metric("\u201cWhere are you going today?\u201d\n\nNowhere, he thought.", "dialogue_rate")
        > 0
    )


def test_script_lines_are_dialogue() -> None:
    text = "ALICE: Where is the key?\n\nBOB: Under the mat, as always.\n\nNote: keys rust."
    # Two speeches (4 + 5 words) in 14 words (names count: 5 + 6 + 3); "Note:" is a label.
    assert metric(text, "word_count") == 14
    assert metric(text, "dialogue_rate") == pytest.approx(2 / 14 * 1000, abs=1e-3)
    assert metric(text, "dialogue_word_share") == pytest.approx(9 / 14, abs=1e-4)


def test_list_items() -> None:
    text = "Items:\n- one\n- two\n* three\n1. four\n2) five\nEnd of list."
    # 5 item lines of 7 non-empty lines; 11 words (numbers count as words).
    assert metric(text, "list_item_rate") == pytest.approx(5 / 11 * 1000, abs=1e-3)
    assert metric(text, "list_line_share") == pytest.approx(5 / 7, abs=1e-4)


def test_ellipses() -> None:
    text = "Well... maybe. So\u2026 yes. Hmm. . . no."
    assert metric(text, "ellipsis_rate") == pytest.approx(3 / 6 * 1000, abs=1e-3)


def test_transitions() -> None:
    text = "However, it works. In addition, it is fast. For example, it runs. Therefore we win."
    assert metric(text, "transition_rate") == pytest.approx(4 / 15 * 1000, abs=1e-3)


def test_hedges() -> None:
    text = "It may work. Perhaps it will. I think it might. It is sort of done."
    # may, Perhaps, I think, might, sort of.
    assert metric(text, "hedge_rate") == pytest.approx(5 / 15 * 1000, abs=1e-3)


def test_numbers_and_percentages() -> None:
    text = "We sold 1,200 units, 45% more than 2023. Growth was 3.5 percent."
    # Numbers: 1,200 45 2023 3.5; percentages: "45%" and "percent". 12 words.
    assert metric(text, "number_rate") == pytest.approx(4 / 12 * 1000, abs=1e-3)
    assert metric(text, "percentage_rate") == pytest.approx(2 / 12 * 1000, abs=1e-3)


def test_subordinate_clauses() -> None:
    text = (
        "I left because it rained. The man who called was late. I know that the plan works. "
        "When we met, it was dark. That switch failed."
    )
    # because, who, "that the", "When we"; "That switch" is a demonstrative.
    assert metric(text, "subordinate_clause_rate") == pytest.approx(4 / 5)


def test_empty_text_gives_zero_rates() -> None:
    metrics = measure("").metrics
    assert metrics["word_count"]["value"] == 0
    assert metrics["contraction_rate"]["value"] == 0
    assert metrics["flesch_kincaid_grade"]["value"] == 0


def test_result_is_json_ready_and_traits_are_valid_for_the_catalogue() -> None:
    text = (
        "I can't believe it's already Friday! We've shipped the new parser (finally), and "
        "honestly, it's faster than I expected. Why did nobody try this before? Maybe "
        "because the old code scared everyone. Anyway, here's what changed: the tokenizer "
        "now streams, the cache is smaller, and the tests run in half the time. "
    ) * 3
    result = analyse_text(text)
    payload = json.loads(json.dumps(result.as_dict()))
    assert set(payload) == {"metrics", "traits"}
    assert set(result.traits) == MEASURED_TRAITS
    normalised = normalise_traits(result.traits)
    assert normalised.changes == []
    assert normalised.values == result.traits
    # 6 + 13 + 6 + 7 + 20 words per repetition.
    assert result.word_count == 3 * 52

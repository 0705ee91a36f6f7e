"""Samples the analysis must refuse, each with its typed exception and reason."""

from __future__ import annotations

import pytest

from personagen_shared.stylometry import (
    SampleNotEnglish,
    SampleNotText,
    SampleRejected,
    SampleTooLong,
    SampleTooShort,
    analyse_text,
    validate_sample,
)
from tests.shared.stylometry.calibration import reference_samples

REJECTIONS = (SampleTooShort, SampleTooLong, SampleNotText, SampleNotEnglish)

ENGLISH_SENTENCE = (
    "the writer of this note likes to walk to the river in the morning and then to sit "
    "with a cup of tea while the town wakes up around her"
)
ENGLISH_WORDS = ENGLISH_SENTENCE.split()

# The same short story in five languages written in the Latin alphabet (written for this
# test): a village by a river, people working in the vineyards, an evening on the square.
FOREIGN = {
    "french": (
        "Le petit village se trouvait au bord de la rivière, entouré de champs et de forêts. "
        "Chaque matin, les habitants se levaient tôt pour travailler dans les vignes, et le soir "
        "ils se retrouvaient sur la place pour parler de la récolte, du temps qu'il ferait demain "
        "et des nouvelles de la ville. Les enfants couraient entre les tables pendant que les "
        "anciens jouaient aux cartes sous les arbres, en buvant un verre de vin rouge."
    ),
    "german": (
        "Das kleine Dorf lag am Ufer des Flusses, umgeben von Feldern und Wäldern. Jeden Morgen "
        "standen die Bewohner früh auf, um in den Weinbergen zu arbeiten, und am Abend trafen "
        "sie sich auf dem Platz, um über die Ernte, das Wetter von morgen und die Neuigkeiten "
        "aus der Stadt zu sprechen. Die Kinder liefen zwischen den Tischen umher, während die "
        "Alten unter den Bäumen Karten spielten und ein Glas Rotwein tranken."
    ),
    "spanish": (
        "El pequeño pueblo estaba a la orilla del río, rodeado de campos y bosques. Cada mañana "
        "los habitantes se levantaban temprano para trabajar en las viñas, y por la tarde se "
        "reunían en la plaza para hablar de la cosecha, del tiempo que haría mañana y de las "
        "noticias de la ciudad. Los niños corrían entre las mesas mientras los ancianos jugaban "
        "a las cartas bajo los árboles, bebiendo un vaso de vino tinto."
    ),
    "italian": (
        "Il piccolo villaggio si trovava sulla riva del fiume, circondato da campi e boschi. Ogni "
        "mattina gli abitanti si alzavano presto per lavorare nelle vigne, e la sera si "
        "ritrovavano in piazza per parlare del raccolto, del tempo che avrebbe fatto domani e "
        "delle notizie della città. I bambini correvano tra i tavoli mentre gli anziani "
        "giocavano a carte sotto gli alberi, bevendo un bicchiere di vino rosso."
    ),
    "dutch": (
        "Het kleine dorp lag aan de oever van de rivier, omringd door velden en bossen. Elke "
        "ochtend stonden de bewoners vroeg op om in de wijngaarden te werken, en 's avonds "
        "kwamen ze samen op het plein om te praten over de oogst, het weer van morgen en het "
        "nieuws uit de stad. De kinderen renden tussen de tafels door terwijl de ouderen onder "
        "de bomen kaartten en een glas rode wijn dronken."
    ),
}


def english(words: int) -> str:
    """An English text of exactly ``words`` words."""
    return " ".join((ENGLISH_WORDS * (words // len(ENGLISH_WORDS) + 1))[:words]) + "."


def test_every_rejection_is_a_sample_rejected_with_a_slug() -> None:
    assert issubclass(SampleRejected, ValueError)
    slugs = set()
    for cls in REJECTIONS:
        assert issubclass(cls, SampleRejected)
        assert cls.slug.startswith("sample-")
        slugs.add(cls.slug)
    assert len(slugs) == len(REJECTIONS)


@pytest.mark.parametrize("cls", [SampleRejected, *REJECTIONS])
def test_rejections_are_plain_exceptions_not_http_classes(cls: type[SampleRejected]) -> None:
    # Only this package's classes and built-in exceptions: the HTTP status and problem+json
    # rendering belong to the API (persona_api.errors maps each class to 413 or 422).
    for base in cls.__mro__:
        assert base.__module__ in ("builtins", "personagen_shared.stylometry.validation"), base
    for attribute in ("status", "status_code", "headers", "title"):
        assert not hasattr(cls, attribute), attribute
    rejection = cls("what is wrong", words=3)
    assert str(rejection) == rejection.detail == "what is wrong"
    assert rejection.context == {"words": 3}


def test_too_short() -> None:
    with pytest.raises(SampleTooShort) as caught:
        validate_sample(english(49))
    assert "49 words" in caught.value.detail
    assert "at least 50" in caught.value.detail
    assert caught.value.context == {"words": 49, "min_words": 50}
    assert validate_sample(english(50)) == 50


def test_empty_and_blank_are_too_short() -> None:
    for text in ("", "   \n\t  "):
        with pytest.raises(SampleTooShort, match="0 words"):
            validate_sample(text)


def test_minimum_is_configurable() -> None:
    with pytest.raises(SampleTooShort, match="at least 100"):
        validate_sample(english(99), min_words=100)


def test_too_long_is_413() -> None:
    with pytest.raises(SampleTooLong) as caught:
        validate_sample(english(20_001))
    assert "20001 words" in caught.value.detail
    assert "20000" in caught.value.detail
    assert validate_sample(english(20_000)) == 20_000
    with pytest.raises(SampleTooLong):
        analyse_text(english(101), max_words=100)


def test_control_characters_are_not_text() -> None:
    with pytest.raises(SampleNotText) as caught:
        validate_sample(english(60) + "\x00")
    assert "U+0000" in caught.value.detail


def test_decoded_binary_is_not_text() -> None:
    blob = bytes(range(128, 256)) * 4
    with pytest.raises(SampleNotText, match="replacement"):
        validate_sample(english(60) + blob.decode("utf-8", errors="replace"))


@pytest.mark.parametrize(
    "text",
    [
        "123 456 789 " * 30,
        "!!! ??? ... --- *** " * 30,
        "\U0001f600 \U0001f389 " * 40,
        "3.14 2.71 1.41 = + - / " * 30,
    ],
)
def test_only_digits_punctuation_or_symbols_is_not_text(text: str) -> None:
    with pytest.raises(SampleNotText, match="letters"):
        validate_sample(text)


@pytest.mark.parametrize("language", sorted(FOREIGN))
def test_other_latin_script_languages_are_not_english(language: str) -> None:
    with pytest.raises(SampleNotEnglish) as caught:
        validate_sample(FOREIGN[language])
    assert "English" in caught.value.detail


@pytest.mark.parametrize(
    "text",
    [
        # Russian and Chinese (written for this test): "The little village stood on the
        # river bank, among fields and forests."
        "Маленькая деревня стояла на берегу реки, среди полей и лесов.",  # noqa: RUF001
        "小村庄坐落在河岸上，周围是田野和森林。",  # noqa: RUF001
    ],
)
def test_other_scripts_are_not_english(text: str) -> None:
    with pytest.raises(SampleNotEnglish, match="Latin alphabet"):
        validate_sample(text)


def test_all_reference_samples_pass() -> None:
    samples = reference_samples()
    assert len(samples) == 12
    for sample in samples:
        assert validate_sample(sample.text) == sample.result.word_count, sample.sample_id

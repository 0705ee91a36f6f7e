"""Splitting a model's reply into title and body."""

from __future__ import annotations

import pytest

from generator_worker.replies import (
    DERIVED_TITLE_MAX_CHARS,
    TITLE_MAX_CHARS,
    UnusableReplyError,
    derive_title,
    split_reply,
)

BODY = "The body starts here. It goes on.\n\nA second paragraph."


@pytest.mark.parametrize(
    "reply",
    [
        f"Title: Tidy Desks\n\n{BODY}",
        f"title: Tidy Desks\n{BODY}",
        f"TITLE:Tidy Desks\n\n{BODY}",
        f"**Title:** Tidy Desks\n\n{BODY}",
        f"**Title: Tidy Desks**\n\n{BODY}",
        f"Title: **Tidy Desks**\n\n{BODY}",
        f"## Title: Tidy Desks\n\n{BODY}",
        f"# Tidy Desks\n\n{BODY}",
        f"### Tidy Desks ###\n{BODY}",
        f'Title: "Tidy Desks"\n\n{BODY}',
        f"Title: “Tidy Desks”\n\n{BODY}",
        f"Title: 'Tidy Desks'\n\n{BODY}",
        f"# «Tidy Desks»\n\n{BODY}",
        f"**Tidy Desks**\n\n{BODY}",
        f'"Tidy Desks"\n\n{BODY}',
        f"\n\n  \nTitle: Tidy Desks\n\n\n{BODY}\n\n",
        f"Title:\nTidy Desks\n\n{BODY}",
        f"Title: Tidy Desks\n\nBody: {BODY}",
        f"Title: Tidy Desks\n**Body:**\n{BODY}",
        f"```\nTitle: Tidy Desks\n\n{BODY}\n```",
        f"```markdown\n# Tidy Desks\n\n{BODY}\n```",
        f"Title: Tidy Desks\r\n\r\n{BODY}",
        f"Title\uff1aTidy Desks\n\n{BODY}",  # full-width colon
        f"Title:   Tidy    Desks  \n\n{BODY}",
    ],
)
def test_title_shapes(reply: str) -> None:
    split = split_reply(reply)
    assert split.title == "Tidy Desks"
    assert split.body == BODY.replace("\r\n", "\n")
    assert split.title_derived is False


def test_missing_title_is_derived_from_the_first_sentence() -> None:
    split = split_reply("Desks should be tidy! Everyone knows it.\n\nMore text.")
    assert split.title == "Desks should be tidy"
    assert split.body == "Desks should be tidy! Everyone knows it.\n\nMore text."
    assert split.title_derived is True


def test_derived_title_is_trimmed_at_a_word_boundary() -> None:
    sentence = "word " * 60
    title = derive_title(sentence + ". Next.")
    assert len(title) <= DERIVED_TITLE_MAX_CHARS
    assert title.endswith("word…")


def test_derived_title_strips_markdown_and_quotes() -> None:
    assert derive_title('*"Hello there," she said.* And left.') == '"Hello there," she said'
    assert derive_title("## **“Rain”** \n\nMore.") == "Rain"


def test_empty_title_label_without_a_usable_next_line_derives_one() -> None:
    split = split_reply("Title: \n\nOnly one paragraph of text here.")
    assert split.title == "Only one paragraph of text here"
    assert split.body == "Only one paragraph of text here."


def test_long_title_is_cut() -> None:
    split = split_reply("Title: " + "long " * 100 + "\n\nBody.")
    assert len(split.title) <= TITLE_MAX_CHARS
    assert split.body == "Body."


def test_long_bold_first_line_is_body_not_title() -> None:
    line = "**" + " ".join(["word"] * 30) + "**"
    split = split_reply(f"{line}\n\nrest")
    assert split.title_derived is True
    assert split.body.startswith(line)


def test_single_line_reply_is_the_body_with_a_derived_title() -> None:
    split = split_reply('"Rainy days are for games."')
    assert split.title == "Rainy days are for games"
    assert split.body == '"Rainy days are for games."'


def test_title_inside_a_sentence_is_not_a_title_line() -> None:
    split = split_reply("The title: a misunderstanding. It happens.\n\nBody.")
    assert split.title_derived is True


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (None, "empty reply"),
        ("", "empty reply"),
        ("   \n\n\t", "empty reply"),
        ("***\n---\n", "empty reply"),
        ("Title: Alone", "title but no body"),
        ("# Heading only\n\n", "title but no body"),
        ("Title: X\n\nBody:   ", "title but no body"),
    ],
)
def test_unusable_replies_raise(reply: str | None, message: str) -> None:
    with pytest.raises(UnusableReplyError, match=message):
        split_reply(reply)

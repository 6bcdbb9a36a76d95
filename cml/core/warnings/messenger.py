"""The short text of a warning, ready to paste into a messenger: at most 600 characters, whatever the lead wrote.

The frame (the title and the labels) comes translated from the caller; the lead's texts are kept as written,
with runs of white space made one space (a messenger shows line breaks of its own). When the whole does not fit,
the longest texts are shortened first and equally ("water filling"), so a short area or period is never cut to
make room for a long story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MESSENGER_CHARS = 600
ELLIPSIS = "…"
WORD_BOUNDARY_SLACK = 12
"""How many characters a shortened text may give up to end at a space rather than inside a word."""
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Frame:
    """The translated words around the lead's texts."""

    title: str  # e.g. "WARNING · Kyiv"
    where: str
    when: str
    aggressor: str
    vehicle: str
    closing: str  # e.g. "Shown until 2 March 2027. Do not forward outside the community."


@dataclass(frozen=True)
class Parts:
    """The lead's texts, as written."""

    what_happened: str
    area: str
    period: str
    aggressor: str
    vehicle: str


def one_line(text: str) -> str:
    """`text` with every run of white space (line breaks included) as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def one_stop(sentence: str) -> str:
    """A sentence ending in a date whose own abbreviation ends in a stop ("2 березня 2027 р.") ends there, not in ".."."""
    return sentence[:-1] if sentence.endswith("..") and not sentence.endswith("...") else sentence


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis, at a space when one is near."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= len(cut) - WORD_BOUNDARY_SLACK and space > 0:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def _caps(lengths: list[int], budget: int) -> list[int]:
    """The largest cap per text such that the capped lengths sum to at most `budget`: texts shorter than an
    equal share keep their length, the rest share what is left equally (max-min fairness)."""
    caps = list(lengths)
    if sum(lengths) <= budget:
        return caps
    remaining, open_ = max(budget, 0), sorted(range(len(lengths)), key=lambda i: lengths[i])
    while open_:
        share = remaining // len(open_)
        smallest = open_[0]
        if lengths[smallest] <= share:
            caps[smallest] = lengths[smallest]
            remaining -= lengths[smallest]
            open_.pop(0)
            continue
        for i in open_:
            caps[i] = share
        break
    return caps


def messenger_text(parts: Parts, frame: Frame, limit: int = MAX_MESSENGER_CHARS) -> str:
    """The warning as a few lines of plain text of at most `limit` characters; empty texts leave their line out."""
    title, closing = one_line(frame.title), one_line(frame.closing)
    labelled = [("", one_line(parts.what_happened)), (frame.where, one_line(parts.area)), (frame.when, one_line(parts.period)),
                (frame.aggressor, one_line(parts.aggressor)), (frame.vehicle, one_line(parts.vehicle))]
    lines = [(f"{one_line(label)}: " if label else "", value) for label, value in labelled if value]
    fixed = len(title) + len(closing) + sum(len(prefix) for prefix, _ in lines) + len(lines) + 1  # one line break after each line
    caps = _caps([len(value) for _, value in lines], limit - fixed)
    body = [prefix + shorten(value, cap) for (prefix, value), cap in zip(lines, caps, strict=True)]
    text = "\n".join([title, *body, closing])
    return text if len(text) <= limit else shorten(text, limit)  # only when the frame alone is too long

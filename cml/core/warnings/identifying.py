"""Details in a warning's text that look like they could identify someone: an aid for the lead who edits it.

A warning must not identify the person who reported. Phone numbers, e-mail addresses, messenger handles, links
and street addresses are the details that most often do, so the edit page points at each one found. It is a
reminder, not a guarantee: a name or a nickname, a workplace or a rare detail of the story cannot be found by
pattern, and an aggressor's own phone number may belong in the warning. The lead reads and decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHONE, EMAIL, HANDLE, LINK, ADDRESS = "phone", "email", "handle", "link", "address"
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"(?i)\b(?:https?://|www\.|t\.me/|wa\.me/)\S+")
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_]{4,32}\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d\s().\-]{5,}\d(?!\w)")
_DATE = re.compile(r"^\d{1,4}[.\-/]\d{1,2}[.\-/]\d{1,4}$")
_STREET = (
    r"вул\.|вулиц[яіею]|ул\.|улиц[аеуы]|просп\.|проспект\w*|пров\.|провул\w*|переул\w*|пер\.|бульв\.|бульвар\w*|"
    r"площ[аіе]\w*|шосе|шоссе|набережн\w*|мікрорайон\w*|микрорайон\w*|мкр\.?|"
    r"street|st\.|avenue|ave\.|road|rd\.|lane|boulevard|blvd\.?"
)
_HOUSE = r"буд\.|будин\w*|д\.|дом\w*|кв\.|квартир\w*|під'їзд\w*|подъезд\w*|apt\.?|apartment|flat|house"
_ENGLISH_STREET = r"\d+[a-z]?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:street|st\b\.?|road|rd\b\.?|avenue|ave\b\.?|lane|boulevard)"
_ADDRESS = re.compile(rf"(?i)(?<!\w)(?:{_ENGLISH_STREET}|(?:{_STREET})\s*[\w'’.-]+(?:[\s,]+\d+[\w/-]*)?|(?:{_HOUSE})\s*№?\s*\d+[\w/-]*)")


@dataclass(frozen=True)
class Finding:
    kind: str
    excerpt: str


def _phones(text: str) -> list[str]:
    found = []
    for match in _PHONE.finditer(text):
        candidate = match.group().strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS and not _DATE.match(candidate):
            found.append(candidate)
    return found


def identifying_details(text: str) -> list[Finding]:
    """Each phone number, e-mail address, messenger handle, link and street address found in `text`, in that order."""
    found = [Finding(EMAIL, m.group()) for m in _EMAIL.finditer(text)]
    without_emails = _EMAIL.sub(" ", text)
    found += [Finding(PHONE, p) for p in _phones(_LINK.sub(" ", without_emails))]
    found += [Finding(HANDLE, m.group()) for m in _HANDLE.finditer(without_emails)]
    found += [Finding(LINK, m.group()) for m in _LINK.finditer(text)]
    found += [Finding(ADDRESS, m.group().strip()) for m in _ADDRESS.finditer(text)]
    return found

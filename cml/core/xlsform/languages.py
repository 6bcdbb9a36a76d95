"""Language columns: `label::English (en)` (or `label::en`) to the CML code "en", and back."""

from __future__ import annotations

import re

CODE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
NAMED = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)$")

# The names written in exported headers; any code not here is written "xx (xx)".
NAMES = {
    "en": "English",
    "uk": "Українська",
    "ru": "Русский",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "de": "Deutsch",
    "pl": "Polski",
    "ro": "Română",
    "ka": "ქართული",
    "kk": "Қазақша",
    "ky": "Кыргызча",
    "tg": "Тоҷикӣ",
    "uz": "Oʻzbekcha",
    "az": "Azərbaycanca",
    "hy": "Հայերեն",
    "be": "Беларуская",
}
# Headers written with a name only ("label::English") are common in older forms.
BY_NAME = {name.casefold(): code for code, name in NAMES.items()} | {
    "english": "en",
    "ukrainian": "uk",
    "russian": "ru",
    "french": "fr",
    "spanish": "es",
    "portuguese": "pt",
    "german": "de",
    "polish": "pl",
    "romanian": "ro",
    "georgian": "ka",
    "kazakh": "kk",
    "kyrgyz": "ky",
    "tajik": "tg",
    "uzbek": "uz",
    "azerbaijani": "az",
    "armenian": "hy",
    "belarusian": "be",
}


def language_code(written: str) -> str | None:
    """The CML code of a header's language part ("English (en)", "en", "English"), or None."""
    written = written.strip()
    match = NAMED.match(written)
    candidate = match.group("code").strip() if match else written
    candidate = candidate.replace("-", "_")
    if "_" in candidate:
        head, tail = candidate.split("_", 1)
        candidate = f"{head.lower()}_{tail.upper()}"
    if CODE.match(candidate):
        return candidate
    return BY_NAME.get((match.group("name") if match else written).strip().casefold())


def language_header(code: str) -> str:
    """How a CML language code is written after "label::": "English (en)"."""
    return f"{NAMES.get(code, code)} ({code})"


def split_header(header: str) -> tuple[str, str | None]:
    """("label", "English (en)") for "label::English (en)"; ("label", None) for "label"."""
    if "::" in header:
        base, language = header.split("::", 1)
        return base.strip().lower(), language.strip()
    return header.strip().lower(), None

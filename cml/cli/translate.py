"""`flask --app cml translate extract|update|compile`: the interface's message catalogs.

extract  cml/**.py and cml/**/templates/**.html (see babel.cfg) -> cml/translations/messages.pot
update   messages.pot -> cml/translations/<lang>/LC_MESSAGES/messages.po, for every LANGUAGES
compile  every .po -> .mo (not committed: compiled at set-up by dev.py); fails on a broken catalog
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import click
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po
from flask import current_app
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "cml"
MAPPING = ROOT / "babel.cfg"
TRANSLATIONS = PACKAGE / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
DOMAIN = "messages"

# Babel's defaults plus Flask-Babel's lazy variants (`from flask_babel import lazy_gettext as _l`).
# A keyword's value: the positions of its message arguments, (position, "c") for a context; None: the first.
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "lazy_npgettext": ((1, "c"), 2, 3),
    "N_": None,
}
# `# Translators: …` comments above a message are copied into the catalogs.
COMMENT_TAGS = ("Translators:",)

group = AppGroup("translate", help="Extract, update and compile the interface translations.")


def extract_catalog(root: Path = ROOT, mapping: Path = MAPPING) -> Catalog:
    """Every translatable message of the code and templates, as a template catalog."""
    with mapping.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(mapping))  # type: ignore[no-untyped-call]  # Babel's frontend module has no annotations
    catalog = Catalog(project="CML", version="1", msgid_bugs_address="", copyright_holder="CML contributors",
                      charset="utf-8", fuzzy=False)

    def only_the_package(dirname: str) -> bool:
        """cml/ and its folders, without hidden ones and caches (.venv, __pycache__ and the like)."""
        relative = Path(dirname).resolve().relative_to(root.resolve())
        return relative.parts[:1] == ("cml",) and not any(part.startswith((".", "_")) for part in relative.parts)

    found = extract_from_dir(root, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
                             strip_comment_tags=True, directory_filter=only_the_package)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(Path(filename).as_posix(), lineno)], auto_comments=comments, context=context)
    return catalog


def catalog_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, language: str) -> Catalog:
    """A .po file, refusing (PoFileError) one that does not parse."""
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN, abort_invalid=True)


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write a .po or .pot; file names without line numbers, so moving code does not churn the catalogs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, sort_output=False)
    path.write_bytes(buffer.getvalue())


def _show(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _languages() -> list[str]:
    return [str(language) for language in current_app.config["LANGUAGES"]]


def _po_files() -> Iterator[tuple[str, Path]]:
    for path in sorted(TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        yield path.parent.parent.name, path


@group.command("extract")
def extract() -> None:
    """Collect the interface strings into cml/translations/messages.pot."""
    catalog = extract_catalog()
    write_catalog(TEMPLATE, catalog)
    click.echo(f"{len(catalog)} messages -> {_show(TEMPLATE)}")


@group.command("update")
@click.option("--no-fuzzy", is_flag=True, help="Do not guess translations of changed strings (guesses are marked fuzzy).")
def update(no_fuzzy: bool) -> None:
    """Merge messages.pot into each language's .po (created when missing); then translate what is new."""
    if not TEMPLATE.exists():
        raise click.ClickException(f"{_show(TEMPLATE)} is missing; run `flask --app cml translate extract` first")
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle, abort_invalid=True)
    for language in _languages():
        path = catalog_path(language)
        if path.exists():
            try:
                catalog = read_catalog(path, language)
            except PoFileError as error:
                raise click.ClickException(f"{_show(path)}: {error}") from error
            catalog.update(template, no_fuzzy_matching=no_fuzzy, update_creation_date=False)
        else:
            catalog = Catalog(locale=Locale.parse(language), domain=DOMAIN, project="CML", version="1",
                              copyright_holder="CML contributors", charset="utf-8", fuzzy=False,
                              creation_date=datetime.now().astimezone())
            catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        write_catalog(path, catalog)
        todo = sum(1 for m in catalog if m.id and (m.fuzzy or not _translated(m.string)))
        click.echo(f"{_show(path)}: {len(catalog)} messages, {todo} to translate")


def _translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


@group.command("compile")
def compile_() -> None:
    """Compile every .po into the .mo that Flask-Babel reads; refuses all if any catalog is broken."""
    problems: list[str] = []
    catalogs: list[tuple[Path, Catalog]] = []
    for language, path in _po_files():
        where = _show(path)
        try:
            catalog = read_catalog(path, language)
        except (PoFileError, ValueError, UnicodeDecodeError) as error:
            problems.append(f"{where}: {error}")
            continue
        for message, errors in catalog.check():
            problems += [f"{where}: msgid {message.id!r}: {error}" for error in errors]
        catalogs.append((path, catalog))
    if problems:
        for line in problems:
            click.echo(line, err=True)
        raise click.ClickException(f"{len(problems)} problem(s) in the translations; nothing was compiled")
    if not catalogs:
        raise click.ClickException(f"no catalogs found under {_show(TRANSLATIONS)}")
    for path, catalog in catalogs:
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo = path.with_suffix(".mo")
        temporary = mo.with_suffix(".mo.tmp")
        temporary.write_bytes(buffer.getvalue())
        os.replace(temporary, mo)  # a running server never reads half a file
    click.echo(f"compiled {len(catalogs)} catalog(s) in {_show(TRANSLATIONS)}")

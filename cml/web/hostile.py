"""Input the web layer refuses before any view sees it (NUL characters, ids past 64 bits), and
text it will not print as it is (lone surrogates).

Werkzeug already decodes bytes that are not UTF-8 as U+FFFD, so a form or query string
cannot carry a lone surrogate; a NUL character it lets through, and PostgreSQL refuses it
in any text. A URL's `<int:…>` accepts any number of digits, and a database id has 64 bits.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from cml.core.bounds import INT64_MAX, is_plain_text, plain_text


class BoundedInteger(IntegerConverter):
    """`<int:…>` that matches only numbers a database id can hold (a larger one is a 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(map, *args, **kwargs)


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return True
    return any("\x00" in (upload.filename or "") for upload in request.files.values())


def _finalize(value: Any) -> Any:
    """Every value a template prints: text stored before these checks (a region named with a lone
    surrogate) is shown with U+FFFD instead of failing the whole page when it is encoded."""
    if isinstance(value, str) and not is_plain_text(value):
        return Markup(plain_text(value)) if isinstance(value, Markup) else plain_text(value)  # noqa: S704 (it was markup already)
    return value


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInteger
    app.jinja_env.finalize = _finalize

    @app.before_request
    def _refuse_nul() -> None:
        if _has_nul():
            abort(400)

"""Choosing the interface language and exposing it to templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, has_request_context, redirect, request, session
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cml.extensions import db
from cml.web.formatting import FILTERS
from cml.web.redirects import safe_next

LANGUAGE_NAMES = {"en": "English", "uk": "Українська", "ru": "Русский"}
# Short names written in their own language: "UK" would read as the United Kingdom.
LANGUAGE_SHORT = {"en": "EN", "uk": "УКР", "ru": "РУС"}



def languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


T = TypeVar("T")


def in_every_language(make: Callable[[str], T]) -> dict[str, T]:
    """`make(language)` under each interface language's locale, by language: for pages and JSON
    that carry their words in every language (the offline app switches language without the server)."""
    found = {}
    for language in languages():
        with force_locale(language):
            found[language] = make(language)
    return found


class _HasLanguages(Protocol):
    languages: tuple[str, ...]
    default_language: str


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def language_name(code: str, in_language: str) -> str:
    """The name of language `code` written in `in_language` ("англійська" for en in uk)."""
    try:
        return Locale.parse(code).get_display_name(in_language) or code
    except (UnknownLocaleError, ValueError):
        return code


def questionnaire_language_note(questionnaire: _HasLanguages, language: str | None = None) -> str:
    """'' when the questionnaire speaks the reader's language; else a note saying which one it falls back to."""
    language = language or current_language()
    if language in questionnaire.languages:
        return ""
    return _("This questionnaire is not available in %(wanted)s; shown in %(shown)s.",
             wanted=language_name(language, language), shown=language_name(questionnaire.default_language, language))


def select_locale() -> str:
    """The user's saved choice, then ?lang=, then the switcher's choice in this session, then Accept-Language, then the default."""
    if not has_request_context():  # commands and workers speak the deployment's default
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages():
        return str(current_user.locale)
    asked = request.args.get("lang")
    if asked in languages():
        return str(asked)
    if session.get("lang") in languages():
        return str(session["lang"])
    best = request.accept_languages.best_match(languages())
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def set_language() -> Response:
    """Remember the chosen interface language, for the account when signed in."""
    lang = request.form.get("lang", "")
    if lang in languages():
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["questionnaire_language_note"] = questionnaire_language_note

    @app.context_processor
    def _language_context() -> dict[str, object]:
        return {"language": current_language(), "language_names": {k: LANGUAGE_NAMES.get(k, k) for k in languages()},
            "language_short": {k: LANGUAGE_SHORT.get(k, k.upper()) for k in languages()},
        }

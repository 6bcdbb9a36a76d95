"""Languages: complete uk/ru catalogs, locale choice, no English on translated pages, locale formats."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import uuid
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from flask import render_template_string
from sqlalchemy import select

from cml.cli import translate
from cml.extensions import db
from cml.models import Facility, User
from cml.services import surveys
from cml.web.formatting import fmt_number, fmt_percent, fmt_period
from tests.conftest import FIXTURES, ROOT, login

TRANSLATED = ("uk", "ru")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs() -> None:
    """dev.py compiles the catalogs before the tests; do it here too when pytest runs alone."""
    mos = [(po, po.with_suffix(".mo")) for _, po in translate._po_files()]
    if any(not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime for po, mo in mos):
        from cml import create_app

        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        outcome = app.test_cli_runner().invoke(args=["translate", "compile"])
        assert outcome.exit_code == 0, outcome.output


# --- (a) every interface string is translated ----------------------------------------------------


def _key(message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def _complete(message) -> bool:
    return all(message.string) if isinstance(message.string, tuple | list) else bool(message.string)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the code and templates now, extracted in-process into a temporary .pot."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    with pot.open("wb") as handle:
        write_po(handle, translate.extract_catalog())
    with pot.open("rb") as handle:
        return read_po(handle)


def test_extraction_finds_python_template_lazy_and_plural_messages(extracted) -> None:
    ids = {_key(m) for m in extracted if m.id}
    assert "Please answer this question." in ids  # gettext in cml/web/answer_messages.py
    assert "Interview date" in ids  # lazy_gettext as _l in a form
    assert "Review your answers" in ids  # _() in a template
    assert ("You have submitted %(count)s interview.", "You have submitted %(count)s interviews.") in ids  # {% trans %}…{% pluralize %}
    assert "Peer monitor" in ids and "Drop-in centre" in ids  # role names and facility kinds


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(extracted, language) -> None:
    """Fails for any message of the code that the catalog lacks, has fuzzy or leaves empty.

    To fix: `flask --app cml translate extract && flask --app cml translate update`, translate
    the new entries of cml/translations/uk|ru/LC_MESSAGES/messages.po, then `translate compile`.
    """
    catalog = translate.read_catalog(translate.catalog_path(language), language)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not _complete(found):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{language}: {len(problems)} message(s) need translating:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_has_three_plural_forms_and_matching_placeholders(language) -> None:
    catalog = translate.read_catalog(translate.catalog_path(language), language)
    assert catalog.num_plurals == 3
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == 3, message.id
    problems = [f"{m.id!r}: {e}" for m, errors in catalog.check() for e in errors]
    assert not problems, "\n".join(problems)


def test_translations_are_not_copies_of_the_english(extracted) -> None:
    for language in TRANSLATED:
        catalog = translate.read_catalog(translate.catalog_path(language), language)
        copies = [m.id for m in catalog if m.id and isinstance(m.id, str) and m.string == m.id and re.search(r"[a-z]{4,}", m.id)]
        assert not copies, f"{language}: left in English: {copies}"


def test_compile_refuses_a_broken_catalog(app, tmp_path, monkeypatch) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(translate.TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    broken = copy / "uk" / "LC_MESSAGES" / "messages.po"
    text = broken.read_text(encoding="utf-8")
    # A translation with a placeholder the code does not pass (a KeyError at run time), then a line that is not PO syntax.
    assert 'msgstr "Сторінка %(n)s з %(total)s"' in text
    text = text.replace('msgstr "Сторінка %(n)s з %(total)s"', 'msgstr "Сторінка %(n)s з %(всього)s"', 1)
    broken.write_text(text, encoding="utf-8")
    monkeypatch.setattr(translate, "TRANSLATIONS", copy)
    result = app.test_cli_runner().invoke(args=["translate", "compile"])
    assert result.exit_code != 0
    assert "всього" in result.output and "nothing was compiled" in result.output
    assert not list(copy.glob("*/LC_MESSAGES/*.mo"))
    broken.write_text(text + '\nmsgid "unterminated\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["translate", "compile"])
    assert result.exit_code != 0 and "messages.po" in result.output


def test_compile_writes_mo_files_that_flask_babel_reads(app, tmp_path, monkeypatch) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(translate.TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(translate, "TRANSLATIONS", copy)
    result = app.test_cli_runner().invoke(args=["translate", "compile"])
    assert result.exit_code == 0, result.output
    assert {p.parent.parent.name for p in copy.glob("*/LC_MESSAGES/messages.mo")} >= {"en", "uk", "ru"}


def test_update_merges_new_messages_as_untranslated(app, tmp_path, monkeypatch) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(translate.TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    template = translate.extract_catalog()
    template.add("A brand-new sentence nobody has translated yet.")
    with (copy / "messages.pot").open("wb") as handle:
        write_po(handle, template)
    monkeypatch.setattr(translate, "TRANSLATIONS", copy)
    monkeypatch.setattr(translate, "TEMPLATE", copy / "messages.pot")
    result = app.test_cli_runner().invoke(args=["translate", "update", "--no-fuzzy"])
    assert result.exit_code == 0, result.output
    uk = translate.read_catalog(copy / "uk" / "LC_MESSAGES" / "messages.po", "uk")
    assert uk.get("A brand-new sentence nobody has translated yet.").string == ""
    assert uk.get("Review your answers").string == "Перевірте свої відповіді"  # existing work is kept


def test_ruff_checks_gettext_calls() -> None:
    """The INT rules (no f-string, .format or % inside gettext) stay on."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "INT" in config["tool"]["ruff"]["lint"]["select"]


# --- (b) which language a page is in --------------------------------------------------------------


def _lang(response) -> str:
    match = re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match[1]


def test_default_language_when_nothing_asks_for_one(client, make_app) -> None:
    assert _lang(client.get("/login")) == "en"
    assert _lang(client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})) == "en"
    other = make_app(BABEL_DEFAULT_LOCALE="uk").test_client()
    assert _lang(other.get("/login")) == "uk"


def test_accept_language_is_used(client) -> None:
    assert _lang(client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})) == "ru"
    assert _lang(client.get("/login", headers={"Accept-Language": "uk,en;q=0.5"})) == "uk"


def test_lang_parameter_beats_accept_language(client) -> None:
    assert _lang(client.get("/login?lang=uk", headers={"Accept-Language": "ru"})) == "uk"
    assert _lang(client.get("/login?lang=xx", headers={"Accept-Language": "ru"})) == "ru"  # unknown: ignored


def test_switcher_choice_beats_accept_language_and_lang_beats_switcher(client) -> None:
    response = client.post("/language", data={"lang": "ru", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _lang(client.get("/login", headers={"Accept-Language": "uk"})) == "ru"
    assert _lang(client.get("/login?lang=en", headers={"Accept-Language": "uk"})) == "en"


def test_saved_preference_beats_lang_and_accept_language(client, app, world) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "demo-monitor")).locale = "ru"
        db.session.commit()
    login(client, "demo-monitor")
    assert _lang(client.get("/?lang=uk", headers={"Accept-Language": "uk"})) == "ru"


def test_switcher_saves_the_choice_on_the_account(client, app, as_role) -> None:
    as_role("monitor")
    assert client.post("/language", data={"lang": "uk", "next": "/"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.username == "demo-monitor")) == "uk"
    client.post("/logout")
    # Signed in again from another browser (no session), the account's language wins.
    fresh = app.test_client()
    login(fresh, "demo-monitor")
    assert _lang(fresh.get("/", headers={"Accept-Language": "ru"})) == "uk"


def test_switcher_ignores_unknown_languages_and_foreign_next(client) -> None:
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert _lang(client.get("/login")) == "en"


def test_switcher_is_on_every_page(client, as_role) -> None:
    for page in ("/login",):
        text = client.get(page).get_data(as_text=True)
        assert 'action="/language"' in text and 'value="uk"' in text and 'value="ru"' in text
    as_role("monitor")
    for page in ("/", "/collect/mine", "/account/password", "/nowhere"):
        text = client.get(page).get_data(as_text=True)
        assert 'action="/language"' in text, page


# --- (c) no English on a Ukrainian or Russian page -----------------------------------------------


class _Text(HTMLParser):
    """Visible text and the human-readable attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style", "code", "title"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style", "code", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, data: tuple[str, ...] = ()) -> str:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in sorted(data, key=len, reverse=True):  # names that are data, not interface
        text = text.replace(value, " ")
    return text


def english_fragments(catalog) -> set[str]:
    """Pieces of the English messages long enough to recognise (placeholders cut out)."""
    pieces = set()
    for message in catalog:
        for msgid in [message.id] if isinstance(message.id, str) else list(message.id or ()):
            for piece in re.split(r"%\(\w+\)[sdr]|\{\w+\}", msgid or ""):
                piece = piece.strip(" .,:;()'\"")
                # A single lower-case word is left out: it may be a column name or code shown on purpose.
                if len(piece) >= 4 and re.search(r"[a-z]{3,}", piece) and not re.fullmatch(r"[a-z_]+", piece):
                    pieces.add(piece)
    return pieces


ALLOWED_LATIN = {"CML", "API", "CSV", "JSON", "UUID", "XLSX", "XLSForm", "Excel", "EN", "English", "demo", "monitor", "ODK", "Collect", "KoboCollect", "SPSS", "Stata"}


def assert_no_english(html: str, fragments: set[str], data: tuple[str, ...], where: str) -> None:
    text = visible_text(html, data)
    leaked = sorted(f for f in fragments if re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![a-z])", text))
    assert not leaked, f"{where}: English interface text on the page: {leaked}"
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w not in ALLOWED_LATIN and not re.fullmatch(r"[a-z0-9_-]+", w)]
    assert not words, f"{where}: Latin words on the page: {words}"


@pytest.fixture
def facility_names(app, world) -> tuple[str, ...]:
    """The world's facility names: data, which may be in any language, not interface text."""
    with app.app_context():
        return tuple(db.session.scalars(select(Facility.name)))


@pytest.mark.parametrize("language", TRANSLATED)
def test_pages_have_no_english_interface_strings(client, as_role, mini, facility_names, extracted, language) -> None:
    fragments = english_fragments(extracted)
    data = (*facility_names, "demo-monitor")
    # The sign-in page, and its validation messages (WTForms' own, translated by its catalogs).
    assert_no_english(client.get(f"/login?lang={language}").get_data(as_text=True), fragments, data, "login")
    client.post("/language", data={"lang": language, "next": "/login"})
    refused = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert_no_english(refused, fragments, data, "login refused")
    assert {"uk": "Це поле є обов'язковим.", "ru": "Обязательное поле."}[language] in visible_text(refused)
    as_role("monitor")
    client.post("/language", data={"lang": language, "next": "/"})
    pages = {"home": "/", "start": "/collect/mini/", "mine": "/collect/mine", "password": "/account/password", "404": "/nowhere"}
    for where, url in pages.items():
        assert_no_english(client.get(url).get_data(as_text=True), fragments, data, where)
    sid = str(uuid.uuid4())
    client.post("/collect/mini/", data={"submission_id": sid, "facility": mini.kyiv, "interview_date": date.today().isoformat()})
    page = client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "no", "q_wait": "30"})  # a required answer missing
    assert page.status_code == 422
    assert_no_english(page.get_data(as_text=True), fragments, data, "collect page with errors")
    assert {"uk": "Вам запропонували тест?", "ru": "Вам предложили тест?"}[language] in page.get_data(as_text=True)  # the questionnaire's own labels
    client.post(f"/collect/d/{sid}/1", data={"action": "next", "q_tested": "yes", "q_wait": "30", "q_cost": "12.5"})
    review = client.get(f"/collect/d/{sid}/review")
    assert review.status_code == 200
    assert_no_english(review.get_data(as_text=True), fragments, data, "review")
    assert "12,5" in review.get_data(as_text=True)  # a decimal answer in the locale's style
    assert {"uk": ">Змінити</a>", "ru": ">Изменить</a>"}[language] in review.get_data(as_text=True)  # the verb (pgettext), not the noun
    short = client.post("/account/password", data={"current": "x", "new": "short"}).get_data(as_text=True)
    assert_no_english(short, fragments, data, "password refused")


@pytest.mark.parametrize("language", TRANSLATED)
def test_lead_and_admin_pages_have_no_english_interface_strings(client, app, as_role, mini, facility_names, extracted, language) -> None:
    fragments = english_fragments(extracted)
    data = facility_names
    as_role("lead")
    client.post("/language", data={"lang": language, "next": "/"})
    home = client.get("/").get_data(as_text=True)
    assert_no_english(home, fragments, data, "lead home")
    assert {"uk": "кв.", "ru": "кв."}[language] in home  # the quarter column, in words
    for url in ("/collect/import", "/reports/raw", "/account/sessions"):
        assert_no_english(client.get(url).get_data(as_text=True), fragments, data, url)
    client.post("/logout")
    as_role("admin")
    client.post("/language", data={"lang": language, "next": "/"})
    for url in ("/", "/admin/", "/admin/users", "/admin/users/1", "/admin/regions", "/admin/facilities/1", "/admin/questionnaires", "/admin/audit"):
        assert_no_english(client.get(url).get_data(as_text=True), fragments, data, url)


def test_error_pages_and_flash_messages_are_translated(client, as_role) -> None:
    as_role("admin")
    client.post("/language", data={"lang": "uk", "next": "/"})
    text = client.get("/collect/d/" + str(uuid.uuid4()) + "/1").get_data(as_text=True)
    assert "Цієї сторінки не існує" in text
    response = client.post("/admin/users", data={"username": "peer.one", "role": "monitor", "without_regions": "y"}, follow_redirects=True)
    assert "Обліковий запис peer.one створено" in response.get_data(as_text=True)
    assert "Рівний монітор" in client.get("/admin/users").get_data(as_text=True)


def test_the_paper_import_report_is_translated(client, as_role, mini) -> None:
    as_role("lead")
    client.post("/language", data={"lang": "ru", "next": "/"})
    csv = "region,facility,date,tested,why_not,wait,cost\natlantis,kyiv-01,2026-01-01,yes,,20,\n"
    response = client.post("/collect/import", data={"survey": "mini", "file": (__import__("io").BytesIO(csv.encode()), "forms.csv")},
                           content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert "неизвестный регион «atlantis»" in text
    assert "Строк: 1." in text


# --- questionnaires in the reader's language, with a visible fallback ------------------------------


def test_questionnaire_without_the_readers_language_says_so(client, app, as_role, world) -> None:
    document = json.loads((FIXTURES / "mini.json").read_text())
    english_only = _only_english(document)
    with app.app_context():
        surveys.publish(json.dumps(english_only).encode())
        db.session.commit()
    as_role("monitor")
    client.post("/language", data={"lang": "uk", "next": "/"})
    text = client.get("/collect/mini/").get_data(as_text=True)
    assert "Ця анкета недоступна мовою «українська»; її показано мовою «англійська»." in text
    assert "Mini survey" in text  # the content falls back to the questionnaire's own language
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "not available" not in client.get("/collect/mini/").get_data(as_text=True)


def test_translated_questionnaire_shows_no_fallback_note(client, as_role, mini) -> None:
    as_role("monitor")
    client.post("/language", data={"lang": "ru", "next": "/"})
    text = client.get("/collect/mini/").get_data(as_text=True)
    assert "Мини-опрос" in text and "недоступна" not in text


def _only_english(node):
    if isinstance(node, dict):
        if set(node) >= {"en"} and set(node) <= {"en", "uk", "ru"} and all(isinstance(v, str) for v in node.values()):
            return {"en": node["en"]}
        return {k: (["en"] if k == "languages" else _only_english(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_only_english(item) for item in node]
    return node


# --- (d) dates, numbers and percentages in the locale's style -------------------------------------


@pytest.mark.parametrize(
    ("language", "percent", "number", "quarter", "day"),
    [
        ("en", "38.2%", "12,345.5", "Q1 2026", "Mar 31, 2026"),
        ("uk", "38,2%", "12\u00a0345,5", "1-й кв. 2026", "31 бер. 2026\u202fр."),
        ("ru", "38,2\u00a0%", "12\u00a0345,5", "1-й кв. 2026\u202fг.", "31 мар. 2026\u202fг."),
    ],
)
def test_formats_follow_the_locale(app, language, percent, number, quarter, day) -> None:
    assert fmt_percent(0.3815, locale=language) == percent
    assert fmt_number(12345.5, 1, locale=language) == number
    assert fmt_period(20261, "quarter", locale=language) == quarter
    with app.test_request_context(f"/?lang={language}"):
        rendered = render_template_string("{{ d|dateformat('medium') }}|{{ 0.3815|percent }}|{{ 12345.5|number(1) }}|{{ 20261|period('quarter') }}",
                                          d=date(2026, 3, 31))
    assert rendered == f"{day}|{percent}|{number}|{quarter}"


def test_percent_and_number_helpers_edge_cases() -> None:
    assert fmt_percent(None, locale="uk") == ""
    assert fmt_percent(1, digits=0, locale="en") == "100%"
    assert fmt_number(3, locale="uk") == "3"
    # `digits` is exact: the locale's own up-to-three decimals must not survive it
    assert [fmt_number(5.1423, 1, locale=lang) for lang in ("en", "uk", "ru")] == ["5.1", "5,1", "5,1"]
    assert fmt_number(5.1423, 0, locale="en") == "5"
    assert fmt_number(5.1423, locale="en") == "5.142"


def test_a_change_shows_one_decimal_of_percentage_points(app) -> None:
    from cml.web.present import fmt_points

    with app.test_request_context("/?lang=en"):
        assert fmt_points(0.051423, True, "en") == "+5.1 pp"
        assert fmt_points(-0.2, False, "en") == "−0.2"
    assert fmt_period(202603, "month", locale="uk") == "березень 2026\u202fр."
    assert fmt_period(2026, "year", locale="ru") == "2026"
    assert fmt_period("2026Q3", locale="uk") == "3-й кв. 2026"
    assert fmt_period("2026-03", locale="en") == "March 2026"
    assert fmt_period("not a period", locale="en") == "not a period"


def test_receipt_dates_follow_the_locale(client, as_role, mini) -> None:
    as_role("monitor")
    client.post("/language", data={"lang": "uk", "next": "/"})
    sid = str(uuid.uuid4())
    data = {"submission_id": sid, "version": str(mini.version), "facility": str(mini.kyiv), "interview_date": "2026-03-31",
            "q_tested": "yes", "q_wait": "25", "q_attitude": "respectful"}
    if date.today() < date(2026, 3, 31):
        data["interview_date"] = date.today().isoformat()
    response = client.post("/collect/mini/submit", data=data, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    from babel.dates import format_date

    assert format_date(date.fromisoformat(data["interview_date"]), "medium", locale="uk") in text
    assert datetime.now().strftime("%Y") in text


def test_plural_forms_in_ukrainian(client, as_role) -> None:
    as_role("monitor")
    client.post("/language", data={"lang": "uk", "next": "/"})
    assert "Ви надіслали 0 інтерв’ю." in client.get("/").get_data(as_text=True)
    from flask_babel import force_locale, ngettext

    with client.application.test_request_context("/"), force_locale("uk"):
        def at_least(n):
            return ngettext("Choose at least %(num)s option.", "Choose at least %(num)s options.", n)

        assert at_least(1) == "Виберіть щонайменше 1 варіант."
        assert at_least(3) == "Виберіть щонайменше 3 варіанти."
        assert at_least(11) == "Виберіть щонайменше 11 варіантів."
        assert at_least(22) == "Виберіть щонайменше 22 варіанти."
    with client.application.test_request_context("/"), force_locale("ru"):
        assert ngettext("Choose at most %(num)s option.", "Choose at most %(num)s options.", 21) == "Выберите не больше 21 варианта."
        assert ngettext("Choose at most %(num)s option.", "Choose at most %(num)s options.", 5) == "Выберите не больше 5 вариантов."


def test_catalog_directory_layout() -> None:
    assert (translate.TRANSLATIONS / "messages.pot").exists()
    for language in ("en", *TRANSLATED):
        assert translate.catalog_path(language).exists(), language
    assert Path(ROOT / "babel.cfg").exists()


def test_the_english_detector_finds_english(client, extracted) -> None:
    """The check above would notice an untranslated page."""
    with pytest.raises(AssertionError, match="Sign in"):
        assert_no_english(client.get("/login?lang=en").get_data(as_text=True), english_fragments(extracted), (), "login")

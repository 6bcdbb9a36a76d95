"""Places and times as a reader meets them: facility names in their language, regions by
name, audit details as sentences, times in the organisation's zone with its name, dates
in the reader's format."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from cml import create_app
from cml.core.answers import FieldError
from cml.extensions import db
from cml.models import Facility, UserSession
from cml.services import regions, surveys

NAMED = b'{"regions": [{"code": "kyiv", "name": {"en": "Kyiv"}, "facilities": [' \
        b'{"code": "kyiv-99", "name": {"en": "Night Clinic", "uk": "\xd0\x9c\xd1\x96\xd1\x81\xd1\x8c\xd0\xba\xd0\xb8\xd0\xb9 \xd0\xa6\xd0\xb5\xd0\xbd\xd1\x82\xd1\x80 \xd0\xa1\xd0\x9d\xd0\x86\xd0\x94"}, "kind": "aids_centre"}]}]}'


def _facility(app, code: str) -> Facility:
    with app.app_context():
        facility = db.session.scalar(select(Facility).where(Facility.code == code))
        db.session.expunge(facility)
        return facility


def _speak(client, language: str) -> None:
    client.post("/language", data={"lang": language, "next": "/"})


def test_a_regions_file_gives_facility_names_per_language(app, world) -> None:
    with app.app_context():
        regions.load_regions(regions.parse_regions_file(NAMED, "regions.json"))
        csv = ("region_code,region_name_en,region_name_uk,region_name_ru,facility_code,facility_name,facility_kind,facility_name_ru\n"
               "kyiv,Kyiv,,,kyiv-02,Podil drop-in,drop_in_centre,Подольский пункт\n").encode()
        regions.load_regions(regions.parse_regions_file(csv, "regions.csv"))
        db.session.commit()
    first, second = _facility(app, "kyiv-99"), _facility(app, "kyiv-02")
    assert (first.label("uk"), first.label("ru"), first.label("en")) == ("Міський Центр СНІД", "Night Clinic", "Night Clinic")
    # A file without a language keeps the name stored in it (the demo's Ukrainian one here).
    assert (second.label("ru"), second.label("uk"), second.label("en")) == ("Подольский пункт", "Подільський громадський пункт", "Podil drop-in")


def test_the_demo_facilities_have_names_in_three_languages(app, world) -> None:
    first = _facility(app, "kyiv-01")
    assert (first.label("en"), first.label("uk"), first.label("ru")) == ("City AIDS Centre", "Міський центр СНІДу", "Городской центр СПИДа")


def test_a_bad_facility_name_in_another_language_is_refused(app, world) -> None:
    bad = b'{"regions": [{"code": "kyiv", "name": {"en": "Kyiv"}, "facilities": [{"code": "kyiv-01", "name": {"en": "A", "uk": "' + b"x" * 201 + b'"}}]}]}'
    with app.app_context(), pytest.raises(regions.RegionFileError):
        regions.parse_regions_file(bad, "regions.json")


def test_pages_show_the_facility_name_in_the_readers_language(client, app, as_role) -> None:
    with app.app_context():
        regions.load_regions(regions.parse_regions_file(NAMED, "regions.json"))
        db.session.commit()
    as_role("lead")
    _speak(client, "uk")
    assert "Міський Центр СНІД" in client.get("/").get_data(as_text=True)
    assert "Міський Центр СНІД" in client.get("/collect/clinic_exit/").get_data(as_text=True)
    _speak(client, "ru")
    assert "Night Clinic" in client.get("/").get_data(as_text=True)  # no Russian name: the English one


def test_an_admin_names_a_facility_in_each_language(client, app, as_role) -> None:
    as_role("admin")
    facility = _facility(app, "kyiv-01")
    page = client.get(f"/admin/facilities/{facility.id}").get_data(as_text=True)
    assert 'name="name_uk"' in page and 'name="name_ru"' in page and facility.name in page
    assert f"/admin/facilities/{facility.id}" in client.get("/admin/regions").get_data(as_text=True)
    response = client.post(f"/admin/facilities/{facility.id}", data={"name_en": "City AIDS Centre", "name_uk": "Міський центр", "name_ru": ""})
    assert response.status_code == 302
    assert _facility(app, "kyiv-01").names == {"uk": "Міський центр"}
    assert client.post(f"/admin/facilities/{facility.id}", data={"name_en": ""}).status_code == 422  # English is the fallback
    assert "Facility names set" in client.get("/admin/audit").get_data(as_text=True)


def test_audit_details_are_sentences_with_region_names(client, app, as_role) -> None:
    as_role("admin")
    with app.app_context():
        lviv = regions.region_by_code("lviv").id
    client.post("/admin/users", data={"username": "olena-m", "role": "monitor", "regions": [lviv], "password": "given-by-admin-1"})
    page = client.get("/admin/audit?action=user.create").get_data(as_text=True)
    assert "Account created: Peer monitor, regions: Lviv Oblast." in page
    assert "must be changed at the first sign-in" in page
    assert "[&#39;lviv&#39;]" not in page and "temporary_password" not in page
    _speak(client, "uk")
    assert "Створено обліковий запис" in client.get("/admin/audit?action=user.create").get_data(as_text=True)


def _session_started_at(app, moment: datetime) -> None:
    with app.app_context():
        db.session.execute(update(UserSession).values(created_at=moment))
        db.session.commit()


def test_times_are_in_the_organisations_zone_and_name_it(client, app, as_role) -> None:
    as_role("monitor")
    _session_started_at(app, datetime(2026, 1, 15, 10, 0))  # UTC, as stored
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "12:00" in page and "(Kyiv time)" in page  # Kyiv is UTC+2 in January
    _speak(client, "uk")
    assert "(час: Київ)" in client.get("/account/sessions").get_data(as_text=True)


def test_the_time_zone_is_a_setting(make_app, world) -> None:
    app = make_app(TIMEZONE="America/New_York")
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "America/New_York"
    with pytest.raises(ValueError, match="TIMEZONE"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TIMEZONE": "Mars/Olympus"})


def test_the_audit_days_begin_at_midnight_in_the_organisations_zone(client, app, as_role) -> None:
    as_role("admin")
    from cml.models import AuditEvent

    with app.app_context():
        db.session.execute(update(AuditEvent).values(at=datetime(2026, 3, 9, 23, 30)))  # 01:30 on 10 March in Kyiv
        db.session.commit()
    assert "No events match" not in client.get("/admin/audit?from=2026-03-10&to=2026-03-10").get_data(as_text=True)
    assert "No events match" in client.get("/admin/audit?from=2026-03-09&to=2026-03-09").get_data(as_text=True)


def test_date_answers_and_limits_are_in_the_readers_format(app, world) -> None:
    from cml.collect.answer_rows import answer_rows
    from cml.core.answers import CleanedAnswers
    from cml.web.answer_messages import error_message

    with app.app_context():
        questionnaire = surveys.model_of(surveys.latest_version("incident_report"))
        with app.test_request_context(headers={"Accept-Language": "uk"}):
            rows = answer_rows(questionnaire, CleanedAnswers({"incident_date": "2026-03-31"}, {}), "uk")
            assert [r["value"].replace("\u202f", " ") for r in rows] == ["31 бер. 2026 р."]
            message = error_message(FieldError("below_min", {"min": "2015-01-01"}), questionnaire, "uk")
            assert "1 січ. 2015 р." in message.replace("\u202f", " ")
            assert "12 345,5" in error_message(FieldError("above_max", {"max": 12345.5}), questionnaire, "uk").replace("\xa0", " ")


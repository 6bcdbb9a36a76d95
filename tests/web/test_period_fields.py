"""Period fields are choices of the periods with data; a change of grain or a tampered period
never gives an error page: it is converted, or replaced with a notice beside the field."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cml.core.periods import period_label, period_of, previous_period
from tests.web.test_indicator_export import export, sheet_rows


def options(page: str, name: str) -> list[str]:
    """The option values of the <select name=...> on a page."""
    select = re.search(rf'<select id="[^"]*" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select named {name}"
    return re.findall(r'<option value="([^"]*)"', select[1])


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select id="[^"]*" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select
    found = re.search(r'<option value="([^"]*)" selected', select[1])
    assert found
    return found[1]


def last_quarter() -> str:
    return period_label(previous_period(period_of(date.today(), "quarter"), "quarter"), "quarter")


def test_the_dashboard_period_is_a_choice_of_the_periods_with_data(client, as_role, generated) -> None:
    as_role("admin")
    page = client.get("/dashboard/?survey=clinic_exit").get_data(as_text=True)
    quarters = options(page, "period")
    assert len(quarters) >= 8 and quarters == sorted(quarters, reverse=True)
    assert all(re.fullmatch(r"\d{4}Q[1-4]", q) for q in quarters)
    months = options(client.get("/dashboard/?survey=clinic_exit&grain=month").get_data(as_text=True), "period")
    assert len(months) >= 20 and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/indicator"])
def test_changing_the_grain_converts_the_period(client, as_role, generated, path) -> None:
    as_role("lead")
    quarter = last_quarter()
    response = client.get(f"{path}?survey=clinic_exit&indicator=condoms_enough&grain=month&period={quarter}&from={quarter}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    month = selected(page, "period")
    year, q = int(quarter[:4]), int(quarter[-1])
    assert month.startswith(f"{year}-") and (q - 1) * 3 < int(month[-2:]) <= q * 3
    back = client.get(f"{path}?survey=clinic_exit&indicator=condoms_enough&grain=year&period={month}")
    assert back.status_code == 200 and selected(back.get_data(as_text=True), "period") == str(year)


def test_an_advocate_asking_for_months_gets_quarters(client, as_role, generated) -> None:
    as_role("advocate")
    page = client.get(f"/dashboard/?survey=clinic_exit&grain=month&period={last_quarter()}-01".replace("Q", "-0")).get_data(as_text=True)
    assert all(re.fullmatch(r"\d{4}Q[1-4]", q) for q in options(page, "period"))
    assert '<option value="month"' not in page


@pytest.mark.parametrize("text", ["not-a-period", "2026Q9", "0000Q1", "<script>x</script>"])
def test_an_unreadable_period_is_a_notice_beside_the_field_not_an_error_page(client, as_role, generated, text) -> None:
    as_role("admin")
    for path, extra in (("/dashboard/", {}), ("/dashboard/indicator", {"indicator": "condoms_enough"})):
        response = client.get(path, query_string={"survey": "clinic_exit", "period": text, "from": text, **extra})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="period-notice"' in page and "is not a period" in page and "<script>x" not in page
        assert selected(page, "period") == options(page, "period")[0]  # the latest with data


def test_the_export_offers_periods_and_converts_another_grains(client, as_role, generated) -> None:
    as_role("lead")
    form = client.get("/reports/indicators").get_data(as_text=True)
    quarters = options(form, "last")
    assert quarters[0] == "" and all(re.fullmatch(r"\d{4}Q[1-4]", q) for q in quarters[1:])
    year = str(date.today().year - 1)
    response = export(client, grain="year", first=f"{year}Q1", last=f"{year}-12")  # a quarter and a month while years are chosen
    assert response.status_code == 200
    assert {row["period"] for row in sheet_rows(response)} == {year}


@pytest.mark.parametrize(("first", "last"), [("nonsense", ""), ("", "2025Q7"), ("0000", "2026")])
def test_an_unreadable_export_period_is_an_error_beside_its_field(client, as_role, generated, first, last) -> None:
    as_role("advocate")
    response = export(client, first=first, last=last)
    assert response.status_code == 422
    assert "Choose a period from the list" in response.get_data(as_text=True)


def test_the_brief_period_is_a_choice_and_a_tampered_one_falls_back_with_a_notice(client, as_role, generated) -> None:
    as_role("advocate")
    page = client.get("/reports/brief?survey=clinic_exit").get_data(as_text=True)
    quarters = options(page, "period")
    assert quarters and all(re.fullmatch(r"\d{4}Q[1-4]", q) for q in quarters)
    assert '<label for="brief-period">' in page and '<label for="brief-region">' in page and '<label for="brief-survey">' in page
    tampered = client.get("/reports/brief?survey=clinic_exit&period=2026Q0")
    assert tampered.status_code == 200 and 'id="brief-period-notice"' in tampered.get_data(as_text=True)
    assert selected(tampered.get_data(as_text=True), "period") == quarters[0]
    month = client.get(f"/reports/brief?survey=clinic_exit&period={date.today().year - 1}-05").get_data(as_text=True)
    assert selected(month, "period") == f"{date.today().year - 1}Q2"


@pytest.mark.parametrize(("language", "stop"), [("uk", "р."), ("ru", "г.")])
def test_the_brief_date_ends_with_one_stop(client, as_role, generated, language, stop) -> None:
    as_role("advocate")
    client.post("/language", data={"lang": language})
    page = client.get("/reports/brief?survey=clinic_exit").get_data(as_text=True)
    lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S)
    assert lead and re.search(rf"{date.today().year}\s{stop}$", lead[1].strip())
    assert f"{stop}." not in page


def test_an_advocates_period_choices_do_not_depend_on_the_region_chosen(client, as_role, generated) -> None:
    """A quarter listed for one region alone would tell that someone there was interviewed, even where every figure is withheld."""
    as_role("advocate")
    everywhere = options(client.get("/dashboard/?survey=clinic_exit").get_data(as_text=True), "period")
    for region in ("kyiv", "odesa", "lviv"):
        page = client.get(f"/dashboard/?survey=clinic_exit&region={region}")  # an advocate may choose any region
        assert page.status_code == 200, region
        assert options(page.get_data(as_text=True), "period") == everywhere
        brief = client.get(f"/reports/brief?survey=clinic_exit&region={region}")
        assert brief.status_code == 200, region
        assert options(brief.get_data(as_text=True), "period") == options(client.get("/reports/brief?survey=clinic_exit").get_data(as_text=True), "period")

"""`flask --app cml dhis2 check|export`: the payload of generated data holds every published
figure of the indicator table and no withheld one, and `--push` imports it into a stand-in
DHIS2 server that validates it against DHIS2's documented format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from cml.core.dhis2 import datavalueset_schema, format_value
from cml.core.periods import parse_period
from cml.extensions import db
from cml.models import AuditEvent, Region
from cml.services.indicator_export import ExportRequest, build
from tests.dhis2_standin import PASSWORD, TOKEN, USER, StandIn

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "dhis2_mapping.example.json"
NO_CREDENTIALS = {"DHIS2_TOKEN": "", "DHIS2_USERNAME": "", "DHIS2_PASSWORD": ""}


def write_mapping(tmp_path: Path, **changes) -> tuple[Path, dict]:
    document = json.loads(EXAMPLE.read_text())
    del document["orgUnits"]["regions"]["chernihiv"]  # one region left unmapped: a warning, not a silent gap
    document.update(changes)
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(document))
    return path, document


def test_check_names_each_problem_and_passes_a_good_file(runner, world, tmp_path) -> None:
    good, _ = write_mapping(tmp_path)
    result = runner.invoke(args=["dhis2", "check", str(good)])
    assert result.exit_code == 0 and "OK: questionnaire clinic_exit, data set kASAOsE1nYE, Quarterly, 4 indicator(s), 7 region(s), the nation" in result.output
    document = json.loads(good.read_text())
    document["orgUnits"]["regions"]["atlantis"] = "BVX4ANCc9vX"
    document["indicators"]["no_such_indicator"] = {"value": {"dataElement": "BVX4ANCc9vY"}}
    document["dataSet"] = "short"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = runner.invoke(args=["dhis2", "check", str(bad)])
    assert result.exit_code == 1
    assert f'{bad}: $.dataSet: "short" is not a DHIS2 uid' in result.output
    document["dataSet"] = "kASAOsE1nYE"
    bad.write_text(json.dumps(document))
    result = runner.invoke(args=["dhis2", "check", str(bad)])
    assert f'{bad}: $.orgUnits.regions.atlantis: no region with the code "atlantis" here' in result.output
    assert f'{bad}: $.indicators.no_such_indicator: questionnaire "clinic_exit" has no indicator "no_such_indicator"' in result.output
    missing = runner.invoke(args=["dhis2", "check", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "none.json: $: cannot read the file" in missing.output
    export = runner.invoke(args=["dhis2", "export", "--mapping", str(bad), "-o", str(tmp_path / "p.json")])
    assert export.exit_code == 1 and not (tmp_path / "p.json").exists()


def test_the_payload_is_the_published_table_without_withheld_cells(app, runner, generated, tmp_path) -> None:
    path, document = write_mapping(tmp_path)
    out = tmp_path / "payload.json"
    result = runner.invoke(args=["dhis2", "export", "--mapping", str(path), "--questionnaire", "clinic_exit", "-o", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert [e.message for e in Draft202012Validator(datavalueset_schema()).iter_errors(payload)] == []
    assert 'warning: region "chernihiv" has no orgUnit in the mapping' in result.output
    assert 'warning: indicator "overall_rating" is not in the mapping' in result.output
    sent = {(v["dataElement"], v["period"], v["orgUnit"]): v for v in payload["dataValues"]}
    with app.app_context():
        codes = {region_id: code for region_id, code in db.session.execute(select(Region.id, Region.code))}
        table = build(ExportRequest(code="clinic_exit", k=app.config["SUPPRESSION_THRESHOLD"]))
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.dhis2")).all()
    org_units = {None: document["orgUnits"]["national"], **document["orgUnits"]["regions"]}
    withheld = checked = 0
    for row, region_id in zip(table.rows, table.region_ids, strict=True):
        spec = document["indicators"].get(row["indicator"])
        org_unit = org_units.get(None if region_id is None else codes[region_id])
        if spec is None or org_unit is None:
            continue
        period = row["period"]
        assert parse_period(period)[0] == "quarter"
        keys = {part: (spec[part]["dataElement"], period, org_unit) for part in ("value", "numerator", "denominator") if part in spec}
        if row["suppressed"] == "yes":
            withheld += 1
            assert not any(key in sent for key in keys.values()), row  # absent, not zero
            continue
        if row["estimate"] is not None and "value" in keys:
            scale = 100 if row["type"] == "proportion" else 1
            assert sent[keys["value"]]["value"] == format_value(row["estimate"] * scale, spec.get("decimals", 1 if scale == 100 else 2))
            assert sent[keys["value"]]["comment"].startswith("95% CI ")
            checked += 1
        if "denominator" in keys:
            assert sent[keys["denominator"]]["value"] == str(row["denominator"])
        if "numerator" in keys and row["numerator"] is not None:
            assert sent[keys["numerator"]]["value"] == str(row["numerator"])
    assert withheld > 10 and checked > 50, "the generated data should have both published and withheld cells"
    assert f"{withheld} withheld cell(s) left out" in result.output
    assert not any(v["orgUnit"] == "Fyrb1fkTTFa" for v in payload["dataValues"])  # chernihiv's uid in the example
    assert len(events) == 1 and events[0].details["values"] == len(payload["dataValues"]) and events[0].details["withheld"] == withheld

    # A range of quarters, and the push to a stand-in DHIS2 (one org unit unknown to it: a conflict).
    first, last = sorted({v["period"] for v in payload["dataValues"]})[-2:]
    known = set(org_units.values()) - {document["orgUnits"]["regions"]["lviv"]}
    with StandIn(known) as server:
        path, _ = write_mapping(tmp_path, server=server.url)
        token = {**NO_CREDENTIALS, "DHIS2_TOKEN": TOKEN}
        dry = runner.invoke(args=["dhis2", "export", "--mapping", str(path), "--from", first, "--to", last, "--push", "--dry-run"], env=token)
        assert dry.exit_code == 0, dry.output
        assert server.received.schema_errors == [] and server.received.queries[0]["dryRun"] == ["true"]
        assert server.stored == {}, "a dry run stores nothing"
        body = server.received.bodies[0]
        assert {v["period"] for v in body["dataValues"]} == {first, last}
        lviv = sum(v["orgUnit"] == document["orgUnits"]["regions"]["lviv"] for v in body["dataValues"])
        assert f"dry run (nothing stored): WARNING: imported {len(body['dataValues']) - lviv}, updated 0, ignored {lviv}, deleted 0" in dry.output
        assert "conflict: " + document["orgUnits"]["regions"]["lviv"] + ": Organisation unit not found" in dry.output
        assert server.received.authorizations == [f"ApiToken {TOKEN}"] * 2

        # Then a DELETE import of every mapped number of those periods not published now: addresses only, no value.
        retracted, query = server.received.bodies[1], server.received.queries[1]
        assert query["importStrategy"] == ["DELETE"] and query["dryRun"] == ["true"]
        assert retracted["dataValues"] and not any("value" in v or "comment" in v for v in retracted["dataValues"])
        address = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo")
        sent_keys = {tuple(v.get(k, "") for k in address) for v in body["dataValues"]}
        retracted_keys = {tuple(v.get(k, "") for k in address) for v in retracted["dataValues"]}
        targets = [spec[part] for spec in document["indicators"].values() for part in ("value", "numerator", "denominator") if part in spec]
        mapped_units = {document["orgUnits"]["national"], *document["orgUnits"]["regions"].values()}
        every_cell = {(t["dataElement"], period, unit, t.get("categoryOptionCombo", ""), document.get("attributeOptionCombo", ""))
                      for t in targets for period in (first, last) for unit in mapped_units}
        assert retracted_keys == every_cell - sent_keys and len(retracted_keys) == len(retracted["dataValues"])
        withheld_here = [row for row in table.rows if row["suppressed"] == "yes" and row["period"] in (first, last)
                         and row["indicator"] in document["indicators"] and row["region"] != "Chernihiv Oblast"]
        assert withheld_here, "the generated data should withhold cells in these quarters"

        # A number DHIS2 holds from an earlier push, withheld now, is deleted; the rest is imported.
        stale = next(k for k in sorted(retracted_keys) if k[2] != document["orgUnits"]["regions"]["lviv"])
        server.stored[stale] = "42.0"
        basic = {**NO_CREDENTIALS, "DHIS2_USERNAME": USER, "DHIS2_PASSWORD": PASSWORD}
        real = runner.invoke(args=["dhis2", "export", "--mapping", str(path), "--from", first, "--to", last, "--push"], env=basic)
        assert real.exit_code == 0 and f"WARNING: imported {len(body['dataValues']) - lviv}, updated 0" in real.output
        assert f"retracting {len(retracted_keys)} number(s) CML does not publish now" in real.output and ", deleted 1" in real.output
        assert stale not in server.stored
        again = runner.invoke(args=["dhis2", "export", "--mapping", str(path), "--from", first, "--to", last, "--push"], env=basic)
        assert f"imported 0, updated {len(body['dataValues']) - lviv}" in again.output and ", deleted 0" in again.output
        assert len(server.stored) == len(body["dataValues"]) - lviv

        wrong = runner.invoke(args=["dhis2", "export", "--mapping", str(path), "--push"], env={**NO_CREDENTIALS, "DHIS2_TOKEN": "d2pat_wrong"})
        assert wrong.exit_code == 1 and "error: DHIS2 refused the credentials (HTTP 401)" in wrong.output
        none = runner.invoke(args=["dhis2", "export", "--mapping", str(path), "--push"], env=NO_CREDENTIALS)
        assert none.exit_code == 1 and "no credentials: set DHIS2_TOKEN, or DHIS2_USERNAME and DHIS2_PASSWORD" in none.output
        assert len(server.received.bodies) == 6, "three pushes of two imports; refused credentials send no second; missing ones none"
    with app.app_context():
        pushes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.dhis2_push").order_by(AuditEvent.id)).all()
    assert [(e.details["outcome"], e.details["dry_run"], e.details["credentials"]) for e in pushes] == [
        ("WARNING", True, "token"), ("WARNING", False, "password"), ("WARNING", False, "password"), ("failed", False, "token")]
    with app.app_context():
        retractions = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.dhis2_retract").order_by(AuditEvent.id)).all()
    assert [(e.details["dry_run"], e.details["deleted"]) for e in retractions] == [(True, 0), (False, 1), (False, 0)]
    assert all(TOKEN not in json.dumps(e.details) and PASSWORD not in json.dumps(e.details) for e in pushes)


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "soon"], "error: 'soon' is not a period such as 2026Q3"),
    (["--from", "2026Q3", "--to", "2026Q1"], "error: --to 2026Q1 comes before --from 2026Q3"),
    (["--questionnaire", "incident_report", "-o", "x.json"], "maps questionnaire 'clinic_exit', not 'incident_report'"),
    ([], "error: give -o FILE, --push, or both"),
    (["-o", "x.json", "--dry-run"], "error: --dry-run goes with --push"),
    (["--push", "--server", "http://dhis2.example.org"], "is plain http: credentials go only over https"),
    (["--push", "--server", "https://127.0.0.1:9"], "error: cannot reach https://127.0.0.1:9"),
    (["-o", "no/such/folder/x.json"], "error: cannot write no/such/folder/x.json"),
])
def test_export_refuses_clearly(runner, world, tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    path, _ = write_mapping(tmp_path)
    if "-o" not in args and "--push" not in args and args:
        args = [*args, "-o", "x.json"]
    result = runner.invoke(args=["dhis2", "export", "--mapping", str(path), *args], env={**NO_CREDENTIALS, "DHIS2_TOKEN": TOKEN})
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output

"""`surveys check` reads what a response belongs to."""

from __future__ import annotations

import json

from tests.conftest import FIXTURES


def test_surveys_check_reports_an_unknown_subject_and_sampled_clusters_of_a_region(runner, tmp_path) -> None:
    document = json.loads((FIXTURES / "mini.json").read_text())
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(document | {"subject": "event"}), encoding="utf-8")
    assert runner.invoke(args=["surveys", "check", str(path)]).exit_code == 0
    path.write_text(json.dumps(document | {"subject": "clinic"}), encoding="utf-8")
    result = runner.invoke(args=["surveys", "check", str(path)])
    assert result.exit_code == 1 and f'{path}: $.subject: "clinic" is not allowed; use one of: facility, region, event' in result.output
    path.write_text(json.dumps(document | {"subject": "region", "sampling": {"facilities": "sampled"}}), encoding="utf-8")
    result = runner.invoke(args=["surveys", "check", str(path)])
    assert result.exit_code == 1 and "$.sampling.facilities: facilities are sampled as clusters only when responses belong to facilities" in result.output

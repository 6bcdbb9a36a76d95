"""One meaning of a questionnaire in two places: the Python and questionnaire.js against one corpus.

The corpus (tests/parity/cases/*.json) is generated from the Python by
`python -m tests.parity.generate`; the Python must still give every expected result, and
questionnaire.js (run by Node through tests/parity/parity.test.mjs) must give the same.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cml.collect.pages import page_definition_json
from cml.core.questionnaire import Questionnaire, parse_document
from tests.parity.generate import CASES, CHOICE_EXTRAS, NUMBERS, ROOT, SOURCES, TEXTS, _json, dump, expected

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "parity.test.mjs"
REGENERATE = "the Python rules changed: if on purpose, regenerate the corpus with `python -m tests.parity.generate`, then make cml/static/offline/questionnaire.js pass `node tests/parity/parity.test.mjs` again"
ERROR_CODES = {"required", "not_a_choice", "too_many_choices", "too_few_choices", "not_an_integer", "not_a_number", "below_min",
               "above_max", "not_a_date", "future_date", "not_a_time", "too_long", "constraint", "not_applicable_list"}


def corpus(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / f"{name}.json").read_text("utf-8"))
    return data


def questionnaire_of(source: str) -> Questionnaire:
    questionnaire, problems = parse_document(json.loads((ROOT / source).read_text("utf-8")))
    assert questionnaire is not None, problems
    return questionnaire


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CML_REQUIRE_NODE") == "1":
            pytest.fail("Node is required (CML_REQUIRE_NODE=1) but not installed (apt-get install nodejs)")
        pytest.skip("Node is not installed (apt-get install nodejs)")
    return found


def run_node(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([node(), str(RUNNER), *args], capture_output=True, text=True, timeout=300, check=False)


def test_the_corpus_is_large_and_reaches_every_error_code_and_path() -> None:
    cases = [case for name in SOURCES for case in corpus(name)["cases"]]
    assert len(cases) >= 2000
    codes = {error["code"] for case in cases for error in case["expected"]["errors"].values()}
    assert codes == ERROR_CODES
    assert sum(not case["expected"]["errors"] for case in cases) >= 300  # clean interviews too
    assert any(case["expected"]["unknown"] for case in cases)
    for name in ("clinic_exit", "incident_report", "training_evaluation", "violence_12m", "tricky"):
        paths = {tuple(case["expected"]["shown_sections"]) for case in corpus(name)["cases"]}
        assert len(paths) >= 2, name  # pages skipped and pages shown


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_python_still_gives_the_corpus_results(name: str) -> None:
    data = corpus(name)
    questionnaire = questionnaire_of(data["definition"])
    wrong = []
    for index, case in enumerate(data["cases"]):
        now = json.loads(_json(expected(questionnaire, case["raw"], date.fromisoformat(case["today"]))))
        if now != case["expected"]:
            wrong.append(f"#{index} ({case['note']}): expected {json.dumps(case['expected'], ensure_ascii=False)[:300]}, now {json.dumps(now, ensure_ascii=False)[:300]}")
    assert not wrong, f"{name}: {len(wrong)} cases now differ; {REGENERATE}.\n" + "\n".join(wrong[:5])


def test_questionnaire_js_gives_the_corpus_results() -> None:
    result = run_node()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "agree" in result.stdout


def fuzz_text(rng: random.Random) -> str:
    """Characters that matter to some rule: digits of several scripts, signs, separators,
    every kind of space, NUL, lone surrogates, letters that spell inf and nan, W for week dates."""
    alphabet = "0123456789-+.,_eEWxnaNiIfFtTy \t\u00a0\u2003\u3000\x1c\x85\ufeff\x00\ud800\udc00\u0661\uff15\U0001d7d9\U0001f600é"
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(NUMBERS + TEXTS + CHOICE_EXTRAS)[: rng.randint(0, 40)] + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
    if roll < 0.5:  # number-shaped: sign, digits, point, exponent, in any order and amount
        pieces = ["+", "-", "0", "1", "9", "5", ".", ",", "e", "E", "_", " ", "\u0663", "00", "999999999999999999", "inf", "nan"]
        return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
    if roll < 0.7:  # date-shaped: a real date, ISO week date or basic date with a character or two changed
        day = date(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28))
        year, week, weekday = day.isocalendar()
        text = rng.choice([day.isoformat(), day.strftime("%Y%m%d") + "".join(rng.choice("0W- x") for _ in range(2)),
                           f"{year:04d}-W{week:02d}-{weekday}", f"{year:04d}W{week:02d}{weekday}xy", f"{year:04d}-W{rng.randint(50, 54)}-{rng.randint(0, 8)}"])
        for _ in range(rng.randint(0, 2)):
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice("0123456789-W ") + text[at + 1:]
        return text
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))


def test_random_raw_values_clean_alike_in_python_and_javascript(tmp_path: Path) -> None:
    """A differential fuzz beyond the corpus: a new seed each run unless CML_PARITY_SEED is set."""
    node()
    seed = os.environ.get("CML_PARITY_SEED") or str(random.SystemRandom().randrange(10**9))
    rng = random.Random(seed)
    for name, (source, _) in SOURCES.items():
        questionnaire = questionnaire_of(source)
        cases = []
        for index in range(150):
            raw: dict[str, Any] = {}
            for question in questionnaire.questions:
                if rng.random() < 0.6:
                    raw[question.id] = [fuzz_text(rng) for _ in range(rng.randint(0, 3))] if rng.random() < 0.2 else fuzz_text(rng)
                    if question.choices and rng.random() < 0.4:
                        raw[question.id] = rng.choice(question.choice_ids)
            raw = json.loads(_json(raw))
            today = date(rng.randint(2019, 2027), rng.randint(1, 12), rng.randint(1, 28))
            cases.append({"questionnaire": name, "note": f"fuzz {index}", "today": today.isoformat(), "raw": raw,
                          "expected": expected(questionnaire, raw, today)})
        (tmp_path / f"{name}.json").write_text(dump({"questionnaire": name, "definition": source, "cases": cases}), "utf-8")
    result = run_node("--cases", str(tmp_path))
    assert result.returncode == 0, f"seed {seed} (CML_PARITY_SEED={seed} repeats it):\n" + result.stdout[-4000:] + result.stderr[-2000:]


def test_each_form_page_alone_cleans_its_answers_as_the_whole_questionnaire(tmp_path: Path) -> None:
    """The server-rendered page gives collect.js only its own questions' rules and the earlier answers."""
    node()
    for name, (source, _) in SOURCES.items():
        questionnaire = questionnaire_of(source)
        pages = [json.loads(page_definition_json(section)) for section in questionnaire.sections]
        assert not any("label" in q for page in pages for q in page["sections"][0]["questions"])  # rules, not texts
        data = corpus(name)
        (tmp_path / f"{name}.json").write_text(dump({**data, "pages": pages}), "utf-8")
    result = run_node("--cases", str(tmp_path))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=24), st.text(alphabet="0123456789+-.,eE_ W\u00a0\u0663\x00", max_size=16)), min_size=40, max_size=40))
def test_hypothesis_values_clean_alike_for_every_question_type(tmp_path: Path, values: list[str]) -> None:
    """Property: any text, given to a question of each type of mini.json, cleans alike; a failure shrinks to one value."""
    node()
    source = SOURCES["mini"][0]
    questionnaire = questionnaire_of(source)
    cases = []
    for index, value in enumerate(values):
        raw = json.loads(_json({"tested": "yes", "wait": value, "cost": value, "rating": value, "visit_date": value,
                                "clinic_name_seen": value, "attitude": value, "services": [value, "pep"]}))
        cases.append({"questionnaire": "mini", "note": f"hypothesis {index}: {value!r}", "today": "2026-12-02", "raw": raw,
                      "expected": expected(questionnaire, raw, date(2026, 12, 2))})
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "mini.json").write_text(dump({"questionnaire": "mini", "definition": source, "cases": cases}), "utf-8")
    result = run_node("--cases", str(folder))
    assert result.returncode == 0, result.stdout[-3000:]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["north", "south", "east", "", "west"]),
                          st.one_of(st.text(max_size=8), st.text(alphabet="0123456789: +-\u0660\uff10", max_size=8),
                                    st.sampled_from(["kyiv", "odesa", "kherson", "elsewhere"]))),
                min_size=30, max_size=30))
def test_hypothesis_times_and_filtered_choices_clean_alike(tmp_path: Path, values: list[tuple[str, str]]) -> None:
    """Property: any text as a time, and any city under any area, cleans alike in Python and questionnaire.js."""
    node()
    source = SOURCES["all_types"][0]
    questionnaire = questionnaire_of(source)
    cases = []
    for index, (area, value) in enumerate(values):
        raw = json.loads(_json({"area": area, "city": value, "arrived": value, "seen": value, "district": value}))
        cases.append({"questionnaire": "all_types", "note": f"hypothesis {index}: {value!r}", "today": "2026-12-02", "raw": raw,
                      "expected": expected(questionnaire, raw, date(2026, 12, 2))})
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "all_types.json").write_text(dump({"questionnaire": "all_types", "definition": source, "cases": cases}), "utf-8")
    result = run_node("--cases", str(folder))
    assert result.returncode == 0, result.stdout[-3000:]

"""Writes the parity corpus: raw answers and what `clean_answers` makes of them.

    python -m tests.parity.generate

The same seed gives the same files. Each case is what a form (or the offline app) posts
for one interview, with Python's answers, errors, unknown keys and shown pages as the
expected result; tests/parity/parity.test.mjs holds cml/static/offline/questionnaire.js
to them, and tests/parity/test_parity.py holds the Python to them.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cml.collect.pages import shown_sections
from cml.core.answers import RawValue, answers_as_raw, applies, clean_answers
from cml.core.questionnaire import Question, Questionnaire, parse_document
from cml.core.synthetic import Generator, facility_profiles

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
SOURCES = {
    "clinic_exit": ("surveys/clinic_exit.json", 700),
    "incident_report": ("surveys/incident_report.json", 700),
    "training_evaluation": ("surveys/training_evaluation.json", 600),
    "violence_12m": ("surveys/violence_12m.json", 400),
    "mini": ("tests/fixtures/mini.json", 400),
    "tricky": ("tests/parity/tricky.json", 600),
    "all_types": ("tests/fixtures/all_types.json", 600),
}
SEED = "cml-parity-1"
TODAYS = ("2026-12-02", "2024-02-29", "2025-12-31", "2026-01-01", "2020-12-28")

NUMBERS = [
    "0", "7", "007", "12", "-3", "+4", " 12 ", "1e5", "1E+5", "1e-5", "1.5", "1,5", "12,50", "12.0", "1.", "0.5", ".5",
    "-0", "-0.0", "0x10", "0b1", "Infinity", "-inf", "inFinity", "NaN", "nan12", "sNaN", "-NaN", "1_000", "_1", "1__0",
    "1e_5", "1 000", "1\u00a0000", "\u0661\u0662", "\uff11\uff12", "\u0663.\u0665", "\u00b2", "\u216b", "\U0001d7d9",
    "9" * 32, "9" * 33, "12345678901234567890123", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "9223372036854775807.0", "9223372036854775296", "9007199254740993", "1e400", "-1e400",
    "1e999999999", "1e999999999999999999", "1e1000000000000000000", "0e999999999999999999", "0e1000000000000000000",
    "1e-1999999999999999997", "1e-1999999999999999998", "1.0e-1999999999999999997", "99e999999999999999998", "+-1",
    "--1", "1e", "e5", ".", "1.2.3", "\t_1", "_\t1", "1_\u2003", "\u20031", "1\u20032", "\x001", "1\x00", "\u200b1",
    "\ufeff1", "1\x1c", "\x851", "1e+5", "1.5e1", "15e-1", "1500e-2", "1e20", "1e21", "-1e20", "100000000000000000000",
    "100000000000000000001", "0.49", "2.5", "2.50001", "1e300", "1.0000000000000001e300", "1e301", "1e-400", "-1e-400",
    "lots", "12abc", "\u066b5", "1e0000000000000000000005", "0.000000000000000000000000000001", "5e-324", "2e-324",
    "1.7976931348623157e308", "1.7976931348623159e308", "4,5,6", "1,,5", " ", "\u3000", "NaN" + "9" * 29, "Inf1",
]
TEXTS = [
    "ok", "x", "y", " x ", "a\x00b", "\x00", " \x00 ", "\x1cx\x1d", "\x85abc\x85", "\ufeffabc\ufeff", "\u200babc\u200b",
    "  pad  ", "line\nbreak", "\u2028z\u2029", "\ud800", "a\udc00b", "\ud83d\ude00", "Клініка №5", "\t\t", "\u180ex",
    "\ud83d\x00\ude00", "\x00\ud800\x00\udc00\x00",
]
TIMES = [
    "00:00", "07:05", "7:05", "07:5", "23:59", "24:00", "12:60", "05:59", "06:00", "22:00", "22:01", " 09:30 ", "09:30:00",
    "0930", "9.30", "09-30", "\uff10\uff19:30", "\u0660\u0669:30", "+9:30", "-1:00", "009:30", ":30", "09:", "\x0009:30", "09:30\x00",
    "18:00", "17:59", "1:1", "123:45", "ab:cd", "noon", "", " ", ["09:30", "10:00"], ["", "08:15"],
]
CHOICE_EXTRAS = ["", " ", "\x00", "nope", "YES", "Yes", "Так", "x" * 60, "\U0001f600" * 60, "\ud800z", "1", "\xa0"]


def main() -> None:
    CASES.mkdir(exist_ok=True)
    for name, (source, count) in SOURCES.items():
        definition = json.loads((ROOT / source).read_text("utf-8"))
        questionnaire, problems = parse_document(definition)
        if questionnaire is None:
            raise SystemExit(f"{source}: {problems}")
        cases = Cases(questionnaire, random.Random(f"{SEED}:{name}")).make(count)
        document = {"questionnaire": name, "definition": source, "generated_by": "python -m tests.parity.generate", "cases": cases}
        (CASES / f"{name}.json").write_text(dump(document), "utf-8")
        print(f"{name}: {len(cases)} cases")


def dump(document: Mapping[str, Any]) -> str:
    """Compact JSON, one case a line; lone surrogates escaped, so the file is valid UTF-8."""
    head = {k: v for k, v in document.items() if k != "cases"}
    lines = [_json(case) for case in document["cases"]]
    return _json(head)[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n"


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def expected(questionnaire: Questionnaire, raw: Mapping[str, RawValue], today: date) -> dict[str, Any]:
    cleaned = clean_answers(questionnaire, raw, today)
    return {
        "answers": cleaned.answers,
        "errors": {
            key: {"code": e.code, "params": dict(e.params), "message": dict(e.message) if e.message is not None else None}
            for key, e in cleaned.errors.items()
        },
        "unknown": list(cleaned.unknown),
        "shown_sections": shown_sections(questionnaire, raw, today),
    }


class Cases:
    """Valid interviews, the same with one to four answers spoiled, every question through
    its type's hard values, and interviews of random junk."""

    def __init__(self, questionnaire: Questionnaire, rng: random.Random) -> None:
        self.q = questionnaire
        self.rng = rng
        today = date(2026, 12, 2)
        generator = Generator(questionnaire, facility_profiles([(1, 1), (2, 1)], rng), date(2025, 1, 1), today, today, SEED)
        self.valid = [answers_as_raw(r.answers) for r in generator.responses(f"{SEED}:{questionnaire.id}", 300)]
        self.answered = [clean_answers(questionnaire, raw, today).answers for raw in self.valid]

    def make(self, count: int) -> list[dict[str, Any]]:
        cases: list[dict[str, Any]] = []
        add = cases.append
        targeted = self.targeted()
        for raw, note in targeted[: count // 2]:
            add(self.case(raw, note))
        makers: list[tuple[Callable[[], dict[str, RawValue]], str]] = [
            (self.a_valid, "valid"), (self.spoiled, "spoiled"), (self.junk, "junk"), (self.spoiled, "spoiled")]
        i = 0
        while len(cases) < count:
            make, note = makers[i % len(makers)]
            add(self.case(make(), note))
            i += 1
        return cases

    def case(self, raw: dict[str, RawValue], note: str) -> dict[str, Any]:
        raw = json.loads(_json(raw))  # what a JSON reader (the Node runner) will see
        today = TODAYS[0] if self.rng.random() < 0.5 else self.rng.choice(TODAYS)
        return {"questionnaire": self.q.id, "note": note, "today": today, "raw": raw,
                "expected": expected(self.q, raw, date.fromisoformat(today))}

    def a_valid(self) -> dict[str, RawValue]:
        return dict(self.rng.choice(self.valid))

    def base_for(self, question: Question) -> dict[str, RawValue]:
        """A valid interview in which `question` is asked, when there is one."""
        fits = [raw for raw, answers in zip(self.valid, self.answered, strict=True) if applies(question, self.q, answers)]
        return dict(self.rng.choice(fits or self.valid))

    def targeted(self) -> list[tuple[dict[str, RawValue], str]]:
        """Every question with hard values of its type, in an interview that asks it."""
        found = []
        for question in self.q.questions:
            for value in self.hard_values(question):
                raw = self.base_for(question)
                raw[question.id] = value
                found.append((raw, f"{question.id}={value!r}"[:80]))
        self.rng.shuffle(found)
        return found

    def spoiled(self) -> dict[str, RawValue]:
        raw = self.a_valid()
        for _ in range(self.rng.randint(1, 4)):
            roll = self.rng.random()
            question = self.rng.choice(self.q.questions)
            if roll < 0.15:
                raw.pop(question.id, None)
            elif roll < 0.2:  # keys that are no question; several, to be listed in code point order
                for key in self.rng.sample(["extra", "q_" + question.id, question.id.upper(), "\U0001f600", "\uffff", "\ufb01", "zz", "", " "], self.rng.randint(1, 4)):
                    raw[key] = "1"
            else:
                raw[question.id] = self.rng.choice(self.hard_values(question))
        return raw

    def junk(self) -> dict[str, RawValue]:
        raw: dict[str, RawValue] = {}
        for question in self.q.questions:
            roll = self.rng.random()
            if roll < 0.3:
                continue
            raw[question.id] = self.rng.choice(self.hard_values(question)) if roll < 0.65 else self.fair_value(question)
        return raw

    def fair_value(self, question: Question) -> RawValue:
        """A value a monitor could mean, not always within the rules."""
        r = self.rng
        kind = question.type
        if kind in ("single_choice", "yes_no_dk"):
            return r.choice(question.choice_ids)
        if kind == "multiple_choice":
            return r.sample(list(question.choice_ids), r.randint(0, len(question.choice_ids)))
        if kind in ("integer", "rating"):
            low = question.minimum if question.minimum is not None else -50
            high = question.maximum if question.maximum is not None else 1000
            return str(r.randint(int(max(low, -1e6)) - 2, int(min(high, 1e6)) + 2))
        if kind == "decimal":
            return f"{r.uniform(-5, 200):.{r.randint(0, 3)}f}".replace(".", r.choice([".", ","]))
        if kind == "date":
            return (date(2026, 12, 2) + timedelta(days=r.randint(-4000, 500))).isoformat()
        if kind == "time":
            return f"{r.randint(0, 24):0{r.choice([1, 2])}d}:{r.randint(0, 60):02d}"
        if kind == "note":  # no answer: a key for it is an unknown key
            return "seen"
        return r.choice(["fine", "ok", "x", "long " * r.randint(1, 120)])

    def hard_values(self, question: Question) -> list[RawValue]:
        kind = question.type
        if kind in ("single_choice", "yes_no_dk"):
            ids = list(question.choice_ids)
            first = ids[0]
            return [*ids, f" {first} ", f"{first}\x00", first.upper(), *CHOICE_EXTRAS, [first], [first, ids[-1]],
                    ["", " ", first], ["", ""], [], [first, first], ["\x00"], self.label(question)]
        if kind == "multiple_choice":
            ids = list(question.choice_ids)
            return [ids[:1], ids[:2], ids[:3], ids, ids[::-1], [ids[0], ids[0]], ids[0], "", [], ["", " "],
                    [ids[0], "nope"], [" " + ids[-1] + " ", "\x00"], ["\x00" + ids[0]], ids[1:2] + ["none", "nobody"],
                    ["none"], ["nobody"], ["none", ids[-1]], ["nobody", ids[0]], [self.label(question)],
                    ["x" * 70], self.rng.sample(ids, min(len(ids), 2))]
        if kind in ("integer", "decimal", "rating"):
            near = []
            for bound in (question.minimum, question.maximum):
                if bound is not None and abs(bound) < 1e15:
                    near += [repr(bound), str(int(bound)), str(int(bound) - 1), str(int(bound) + 1), f"{bound + 0.5}", f"{bound - 0.5}".replace(".", ",")]
            return [*NUMBERS, *near, ["1", "2"], ["", "5"], [" "]]
        if kind == "date":
            return self.dates()
        if kind == "time":
            return list(TIMES)
        if kind == "note":
            return ["x", ""]
        limit = question.max_length or 0
        return [*TEXTS, "a" * limit, "a" * (limit + 1), "\U0001f600" * limit, "\U0001f600" * (limit + 1),
                " " + "b" * limit + " ", ["one", "two"], ["", "one"], "\ud800" * 3]

    def label(self, question: Question) -> str:
        return question.choices[0].label.get("en", "") if question.choices else ""

    def dates(self) -> list[RawValue]:
        today = date.fromisoformat(self.rng.choice(TODAYS))
        near = [today + timedelta(days=d) for d in (0, 1, -1, 366, 367, -5000)]
        return [
            *(d.isoformat() for d in near), "1900-01-01", "1899-12-31", "0001-01-01", "9999-12-31", "2024-02-29",
            "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "20240105", "20240105xx", "2024010599", "2024-W01-1",
            "2020-W53-7", "2021-W53-1", "2026-W53-4", "2026-W49-3", "2024W011", "2024W011xy", "2024W01-1x", "2024-W01",
            "2024-W00-1", "2024-W01-8", "2024-w01-1", "0000-W52-7", "9999-W52-5", "9999-W52-6", "2024-1-05x",
            "2024/01/05", "05.01.2024", " 2024-01-05 ", "2024-01-05\x00", "\uff12\uff10\uff12\uff14-01-05",
            "2024-01-0\u0665", "2024-01-05T00", "", "+2024-01-0", "2024-01-5\u00e9", "19991231", "2019-12-30",
            "2025-12-31", "2026-12-03", "2027-12-03", "2027-12-04", "2024-02-29\ud800", ["2024-01-05", "2024-01-06"],
        ]


if __name__ == "__main__":
    main()

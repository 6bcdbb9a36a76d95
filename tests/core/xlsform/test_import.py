"""XLSForms as organisations write them for KoboToolbox and ODK, read into CML questionnaires."""

from __future__ import annotations

from cml.core.questionnaire import parse_document
from cml.core.xlsform import read_xlsform
from tests.core.xlsform.workbooks import workbook


def test_a_kobo_style_form_without_groups_or_languages() -> None:
    data = workbook(
        [
            ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance"],
            ["note", "welcome", "Thank you for taking part"],
            ["select_one yes_no_dk", "tested", "Were you offered a test?", "", "TRUE"],
            ["select one reasons", "why_not", "Why not?", "", "yes", "${tested} = 'no'", "", "", "minimal"],
            ["integer", "wait", "Minutes waited", "Your best guess", "", "", ". >= 0 and . <= 600", "0 to 600 minutes"],
            ["range", "rating", "How was it?"],
            ["text", "comments", "Anything else?", "", "", "", "", "", "multiline"],
        ],
        choices=[
            ["list name", "name", "label"],
            ["yes_no_dk", "yes", "Yes"],
            ["yes_no_dk", "no", "No"],
            ["yes_no_dk", "dont_know", "Don't know"],
            ["reasons", "no_kits", "No kits"],
            ["reasons", "refused", "Refused"],
        ],
        settings=[["form_title", "form_id", "version"], ["Clinic visit", "clinic_visit", "3"]],
    )
    result = read_xlsform(data)
    assert result.problems == []
    document = result.questionnaire
    assert document is not None
    assert document["languages"] == ["en"]
    assert document["title"] == {"en": "Clinic visit"}
    assert document["choice_lists"] == {"reasons": [{"id": "no_kits", "label": {"en": "No kits"}}, {"id": "refused", "label": {"en": "Refused"}}]}
    (section,) = document["sections"]
    assert section["id"] == "part_1" and section["title"] == {"en": "Clinic visit"}
    questions = {q["id"]: q for q in section["questions"]}
    assert questions["welcome"] == {"id": "welcome", "type": "note", "label": {"en": "Thank you for taking part"}}
    assert questions["tested"] == {"id": "tested", "type": "yes_no_dk", "label": {"en": "Were you offered a test?"}, "required": True}
    assert questions["why_not"]["show_if"] == {"question": "tested", "equals": "no"}
    assert questions["why_not"]["choices"] == "reasons"
    assert questions["wait"]["hint"] == {"en": "Your best guess"}
    assert questions["wait"]["constraint"] == {
        "condition": {"all": [{"question": "wait", "at_least": 0}, {"question": "wait", "at_most": 600}]},
        "message": {"en": "0 to 600 minutes"},
    }
    assert questions["rating"]["type"] == "rating" and questions["rating"]["scale"] == {"min": 1, "max": 10}
    assert questions["comments"]["type"] == "long_text"
    questionnaire, problems = parse_document(document)
    assert problems == [] and questionnaire is not None


def test_language_columns_written_three_ways() -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "label::uk", "label::Russian", "hint::English (en)", "hint::uk", "hint::Russian"],
            ["begin group", "visit", "Visit", "Візит", "Визит"],
            ["date", "visit_date", "Date", "Дата", "Дата", "Today or before", "Сьогодні або раніше", "Сегодня или раньше"],
            ["end group"],
        ],
        choices=[],
        settings=[["form_id", "version", "label::English (en)", "label::uk", "label::Russian", "default_language"], ["visits", "1", "Visits", "Візити", "Визиты", "uk"]],
    )
    result = read_xlsform(data)
    assert result.problems == []
    document = result.questionnaire
    assert document is not None
    assert document["languages"] == ["en", "uk", "ru"]
    assert document["default_language"] == "uk"
    assert document["title"] == {"en": "Visits", "uk": "Візити", "ru": "Визиты"}
    assert document["sections"][0]["questions"][0]["hint"] == {"en": "Today or before", "uk": "Сьогодні або раніше", "ru": "Сегодня или раньше"}


def test_cml_extras_come_from_their_own_columns_and_the_indicators_sheet() -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "sensitive", "sensitive_reason", "min", "max", "unit::English (en)", "max_length", "allow_future"],
            ["begin group", "visit", "Visit"],
            ["integer", "wait", "Wait", "", "", "0", "600", "minutes"],
            ["decimal", "paid", "Paid", "yes", "", "0", "1000.5"],
            ["text", "clinic", "Clinic name", "no", "names a public clinic only", "", "", "", "80"],
            ["date", "when", "When", "", "", "", "", "", "", "no"],
            ["end group"],
        ],
        choices=[],
        settings=[
            ["form_id", "version", "form_title", "disclosure", "subject", "sampling", "counted_states", "description::English (en)"],
            ["visits", "2", "Visits", "standard", "region", "monitored", "approved", "About visits"],
        ],
        indicators=[
            ["id", "type", "label::English (en)", "question", "numerator", "denominator", "target", "better"],
            ["mean_wait", "mean", "Mean wait", "${wait}", "", "", "30", "lower"],
            ["paid_any", "proportion", "Paid anything", "", "${paid} > 0", "${paid} != ''", "0", "lower"],
        ],
    )
    result = read_xlsform(data)
    assert result.problems == []
    document = result.questionnaire
    assert document is not None
    assert {k: document[k] for k in ("disclosure", "subject", "sampling", "counted_states", "description")} == {
        "disclosure": "standard", "subject": "region", "sampling": {"facilities": "monitored"},
        "counted_states": ["approved"], "description": {"en": "About visits"},
    }
    questions = {q["id"]: q for q in document["sections"][0]["questions"]}
    assert questions["wait"] == {"id": "wait", "type": "integer", "label": {"en": "Wait"}, "min": 0, "max": 600, "unit": {"en": "minutes"}}
    assert questions["paid"]["sensitive"] is True and questions["paid"]["max"] == 1000.5
    assert questions["clinic"]["sensitive"] is False and questions["clinic"]["sensitive_reason"] == "names a public clinic only"
    assert questions["clinic"]["max_length"] == 80
    assert questions["when"]["allow_future"] is False
    assert document["indicators"] == [
        {"id": "mean_wait", "type": "mean", "label": {"en": "Mean wait"}, "question": "wait", "target": 30, "better": "lower"},
        {"id": "paid_any", "type": "proportion", "label": {"en": "Paid anything"},
         "numerator": {"all": [{"question": "paid", "answered": True}, {"not": {"question": "paid", "at_most": 0}}]},
         "denominator": {"question": "paid", "answered": True}, "target": 0, "better": "lower"},
    ]


def test_cascading_select_with_a_filter_column() -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "choice_filter"],
            ["begin group", "place", "Place"],
            ["select_one areas", "area", "Area"],
            ["select_one cities", "city", "City", "filter = ${area}"],
            ["end group"],
        ],
        choices=[
            ["list_name", "name", "label::English (en)", "filter"],
            ["areas", "north", "North"],
            ["areas", "south", "South"],
            ["cities", "kyiv", "Kyiv", "north"],
            ["cities", "odesa", "Odesa", "south"],
            ["cities", "elsewhere", "Elsewhere"],
        ],
    )
    result = read_xlsform(data)
    assert result.problems == []
    document = result.questionnaire
    assert document is not None
    assert document["sections"][0]["questions"][1]["choice_filter"] == "area"
    assert document["choice_lists"]["cities"] == [
        {"id": "kyiv", "label": {"en": "Kyiv"}, "filter": "north"},
        {"id": "odesa", "label": {"en": "Odesa"}, "filter": "south"},
        {"id": "elsewhere", "label": {"en": "Elsewhere"}},
    ]

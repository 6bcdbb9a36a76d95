"""The messenger text: never over 600 characters, nothing cut when it fits, the short texts kept whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cml.core.warnings.messenger import ELLIPSIS, MAX_MESSENGER_CHARS, Frame, Parts, messenger_text, one_line, one_stop, shorten

FRAME = Frame(title="WARNING · Kyiv", where="Where", when="When", aggressor="Aggressor", vehicle="Vehicle",
              closing="Shown until 2 March 2027. Keep it within the community.")
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=1200)


def test_a_short_warning_is_whole_with_its_labels() -> None:
    parts = Parts("Robbed two women at night", "near the central market", "late November 2026", "man, about 40, tall",
                  "black Toyota Camry")
    assert messenger_text(parts, FRAME) == (
        "WARNING · Kyiv\nRobbed two women at night\nWhere: near the central market\nWhen: late November 2026\n"
        "Aggressor: man, about 40, tall\nVehicle: black Toyota Camry\nShown until 2 March 2027. Keep it within the community.")


def test_an_empty_text_leaves_its_line_out() -> None:
    text = messenger_text(Parts("Threatened with a knife", "station", "", "", ""), FRAME)
    assert "When" not in text and "Vehicle" not in text and "Aggressor" not in text


def test_a_long_story_is_cut_and_the_short_texts_are_kept() -> None:
    story = "He drove people out of town and left them there. " * 30
    text = messenger_text(Parts(story, "near the central market", "late November 2026", "man, about 40, tall", "black Toyota"), FRAME)
    assert len(text) <= MAX_MESSENGER_CHARS
    assert "Where: near the central market\n" in text and "Vehicle: black Toyota\n" in text
    assert text.splitlines()[1].endswith(ELLIPSIS)
    assert len(text) > MAX_MESSENGER_CHARS - 20  # the room is used, not wasted


def test_two_long_texts_share_the_room() -> None:
    text = messenger_text(Parts("a " * 400, "area", "May", "b " * 400, ""), FRAME)
    lines = text.splitlines()
    assert abs(len(lines[1]) - len(lines[4].removeprefix("Aggressor: "))) <= 1 + 12  # equal caps, word-boundary slack


def test_shorten_prefers_a_space() -> None:
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("abc", 3) == "abc" and shorten("abcd", 1) == ELLIPSIS and shorten("abcd", 0) == ""


@settings(max_examples=300, deadline=None)
@given(texts, texts, texts, texts, texts, st.text(max_size=700), st.integers(min_value=0, max_value=900))
def test_never_over_the_limit(what: str, area: str, period: str, aggressor: str, vehicle: str, title: str, limit: int) -> None:
    frame = Frame(title=title, where="Де", when="Коли", aggressor="Кривдник", vehicle="Авто", closing="До 2 березня 2027 р.")
    parts = Parts(what, area, period, aggressor, vehicle)
    text = messenger_text(parts, frame, limit)
    assert len(text) <= limit
    whole = "\n".join([one_line(title), *(p + one_line(v) for p, v in (("", what), ("Де: ", area), ("Коли: ", period),
                       ("Кривдник: ", aggressor), ("Авто: ", vehicle)) if one_line(v)), "До 2 березня 2027 р."])
    if len(whole) <= limit:
        assert text == whole  # nothing is cut when it fits
    elif len(whole) - len(one_line(title)) < limit - 50:
        assert text.startswith(one_line(title) + "\n") and text.endswith("До 2 березня 2027 р.")  # the frame survives


def test_a_sentence_ending_in_an_abbreviated_date_ends_once() -> None:
    assert one_stop("До 2 березня 2027 р..") == "До 2 березня 2027 р." and one_stop("Until March 2, 2027.") == "Until March 2, 2027."
    assert one_stop("Wait...") == "Wait..."

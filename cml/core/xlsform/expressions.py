"""XLSForm expressions (`relevant`, `constraint`, indicator rules) to CML conditions and back.

Only the part of XPath that a CML condition can say is read: comparisons of an answer with
a value or with another answer, `selected()`, `string-length()`/`count-selected()` tested
against zero, `not()`, `and`, `or` and parentheses. pyxform's own lexer cuts the text into
tokens; anything else is refused with a message, never guessed at.

Writing is the exact inverse for every condition the CML loader accepts, so a questionnaire
exported and read back has the same conditions. Two spellings read back as their shorter
equivalent: an `any` of equalities of one question becomes `in`, and `in` with a single value
becomes `equals` (or `includes` for a multiple choice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pyxform.parsing.expression import parse_expression

MULTIPLE = "multiple_choice"
SINGLE_TYPES = frozenset({"single_choice", "yes_no_dk"})
WHOLE_NUMBER_TYPES = frozenset({"integer", "rating"})
NUMBER_TYPES = frozenset({"integer", "decimal", "rating"})
ORDERED_TYPES = NUMBER_TYPES | {"date", "time"}
MAX_DEPTH = 12
MAX_LENGTH = 4000
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ExpressionError(ValueError):
    """An expression CML cannot read; the message says what to write instead."""


# --- the syntax tree of the supported subset -------------------------------------------------
@dataclass(frozen=True)
class Ref:
    name: str  # "." is the question itself (constraints)


@dataclass(frozen=True)
class Literal:
    value: str | int | float
    kind: str  # "string", "number" or "date"


@dataclass(frozen=True)
class Count:
    function: str  # "string-length" or "count-selected"
    ref: Ref


Operand = Ref | Literal | Count


@dataclass(frozen=True)
class Compare:
    left: Operand
    operator: str
    right: Operand


@dataclass(frozen=True)
class Selected:
    ref: Ref
    value: Literal


@dataclass(frozen=True)
class Negation:
    node: Node


@dataclass(frozen=True)
class Conjunction:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Disjunction:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Group:
    """A parenthesised part: kept so `(a or b) or c` reads as written."""

    node: Node


Node = Compare | Selected | Negation | Conjunction | Disjunction | Group


# --- parsing ---------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str) -> None:
        tokens: list[tuple[str, str]] = []
        for token in parse_expression(text):
            if token.type == "WHITESPACE":
                continue
            value = str(token).strip()
            kind = token.type
            if kind == "NAME" and value in ("and", "or"):
                kind = "OPS_BOOL"
            if kind == "OPS_COMP" and value == "=" and tokens and tokens[-1] in (("OPS_COMP", "<"), ("OPS_COMP", ">")):
                # The lexer tries "<" and ">" before "<=" and ">=", so it cuts those in two.
                value = tokens.pop()[1] + "="
            tokens.append((kind, value))
        self.tokens = tokens
        self.at = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("END", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.at += 1
        return token

    def expect(self, kind: str, what: str) -> str:
        found_kind, value = self.take()
        if found_kind != kind:
            raise ExpressionError(f"expected {what} but found {_describe(found_kind, value)}")
        return value

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self.disjunction(0)
        kind, value = self.peek()
        if kind != "END":
            raise ExpressionError(f"unexpected {_describe(kind, value)}")
        return node

    def disjunction(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        nodes = [self.conjunction(depth)]
        while self.peek() == ("OPS_BOOL", "or"):
            self.take()
            nodes.append(self.conjunction(depth))
        return nodes[0] if len(nodes) == 1 else Disjunction(tuple(nodes))

    def conjunction(self, depth: int) -> Node:
        nodes = [self.unary(depth)]
        while self.peek() == ("OPS_BOOL", "and"):
            self.take()
            nodes.append(self.unary(depth))
        return nodes[0] if len(nodes) == 1 else Conjunction(tuple(nodes))

    def unary(self, depth: int) -> Node:
        kind, value = self.peek()
        if kind == "OPEN_PAREN":
            self.take()
            node = self.disjunction(depth + 1)
            self.expect("CLOSE_PAREN", "a closing parenthesis")
            return Group(node)
        if kind == "FUNC_CALL" and value == "not(":
            self.take()
            node = self.disjunction(depth + 1)
            self.expect("CLOSE_PAREN", "a closing parenthesis after not(")
            return Negation(node)
        if kind == "FUNC_CALL" and value == "selected(":
            self.take()
            ref = self.reference()
            self.expect("COMMA", "a comma in selected(${question}, 'choice')")
            choice = self.operand()
            self.expect("CLOSE_PAREN", "a closing parenthesis after selected(")
            if not isinstance(choice, Literal):
                raise ExpressionError("selected() needs a choice name in quotes as its second part, e.g. selected(${q}, 'yes')")
            return Selected(ref, choice)
        left = self.operand()
        kind, value = self.take()
        if kind != "OPS_COMP":
            if kind == "END":
                raise ExpressionError("a comparison such as ${q} = 'yes' is needed here")
            raise ExpressionError(f"expected a comparison (=, !=, <, <=, >, >=) but found {_describe(kind, value)}")
        return Compare(left, value, self.operand())

    def reference(self) -> Ref:
        kind, value = self.take()
        if kind == "PYXFORM_REF":
            return Ref(value[2:-1])
        if kind == "SELF_REF":
            return Ref(".")
        raise ExpressionError(f"expected a question such as ${{name}} but found {_describe(kind, value)}")

    def operand(self) -> Operand:  # noqa: C901 (one branch per kind of value)
        kind, value = self.peek()
        if kind in ("PYXFORM_REF", "SELF_REF"):
            return self.reference()
        self.take()
        if kind == "SYSTEM_LITERAL":
            return Literal(value[1:-1], "string")
        if kind == "NUMBER":
            return Literal(_number(value), "number")
        if kind == "DATE":
            return Literal(value, "date")
        if kind == "FUNC_CALL" and value in ("string-length(", "count-selected("):
            ref = self.reference()
            self.expect("CLOSE_PAREN", f"a closing parenthesis after {value}")
            return Count(value[:-1], ref)
        if kind == "FUNC_CALL" and value == "date(":
            inner = self.take()
            self.expect("CLOSE_PAREN", "a closing parenthesis after date(")
            if inner[0] == "SYSTEM_LITERAL" and _is_date(inner[1][1:-1]):
                return Literal(inner[1][1:-1], "date")
            raise ExpressionError("date() needs a date written 'YYYY-MM-DD'")
        if kind == "FUNC_CALL":
            raise ExpressionError(f"the function {value[:-1]}() is not supported; CML conditions compare answers with values, selected(), string-length() and count-selected()")
        if kind == "PYXFORM_REF_START":
            raise ExpressionError("a question reference must be written ${name}, with letters, digits and _ only")
        raise ExpressionError(f"expected a question such as ${{name}} or a value but found {_describe(kind, value)}")


def _describe(kind: str, value: str) -> str:
    if kind == "END":
        return "the end of the expression"
    if kind == "OPS_MATH":
        return f"arithmetic \"{value}\" (not supported: compare answers with values)"
    return f"\"{value}\""


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def parse_expression_tree(text: str) -> Node:
    """The syntax tree of `text`, or ExpressionError when it uses more than CML supports."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    return _Parser(text).parse()


# --- the tree to a CML condition -------------------------------------------------------------
class _Converter:
    """Turns a syntax tree into a CML condition, given the question types it may read.

    :param types: every question of the questionnaire, id to CML type.
    :param visible: the ids this expression may read (the earlier questions).
    :param own: the question whose constraint this is ("." refers to it), else None.
    """

    def __init__(self, types: Mapping[str, str], visible: frozenset[str], own: str | None) -> None:
        self.types = types
        self.visible = visible
        self.own = own

    def question(self, ref: Ref) -> tuple[str, str]:
        if ref.name == ".":
            if self.own is None:
                raise ExpressionError("\".\" (this question) can only be used in a constraint; name the question as ${name}")
            return self.own, self.types[self.own]
        if ref.name not in self.types:
            raise ExpressionError(f"there is no question ${{{ref.name}}}")
        if ref.name not in self.visible and ref.name != self.own:
            raise ExpressionError(f"${{{ref.name}}} is not an earlier question; skip logic can only look back")
        kind = self.types[ref.name]
        if kind == "note":
            raise ExpressionError(f"${{{ref.name}}} is a note and has no answer to look at")
        return ref.name, kind

    def convert(self, node: Node) -> dict[str, Any]:
        if isinstance(node, Group):
            return self.convert(node.node)
        if isinstance(node, Negation):
            return {"not": self.convert(node.node)}
        if isinstance(node, Conjunction):
            return {"all": [self.convert(n) for n in node.nodes]}
        if isinstance(node, Disjunction):
            same = self.one_of(node)
            return same if same is not None else {"any": [self.convert(n) for n in node.nodes]}
        if isinstance(node, Selected):
            return self.selected(node)
        return self.compare(node)

    def one_of(self, node: Disjunction) -> dict[str, Any] | None:
        """`${q} = 'a' or ${q} = 'b'` (or the same with selected()) as {"question": q, "in": [a, b]}."""
        tests = []
        for part in node.nodes:
            if isinstance(part, Selected):
                tests.append((part.ref, "selected", part.value))
            elif isinstance(part, Compare) and part.operator == "=" and isinstance(part.left, Ref) and isinstance(part.right, Literal):
                tests.append((part.left, "=", part.right))
            else:
                return None
        if len({(ref.name, how) for ref, how, _ in tests}) != 1 or any(v.kind == "string" and v.value == "" for _, _, v in tests):
            return None
        ref, how, _ = tests[0]
        question, kind = self.question(ref)
        if how == "=" and kind == MULTIPLE:
            raise ExpressionError(f"${{{question}}} allows several answers: use selected(${{{question}}}, 'choice')")
        return {"question": question, "in": [self.value(question, kind, v) for _, _, v in tests]}

    def selected(self, node: Selected) -> dict[str, Any]:
        question, kind = self.question(node.ref)
        if kind not in SINGLE_TYPES and kind != MULTIPLE:
            raise ExpressionError(f"selected() works on choice questions; ${{{question}}} is {kind}")
        value = self.choice(question, node.value)
        return {"question": question, "includes" if kind == MULTIPLE else "equals": value}

    def choice(self, question: str, literal: Literal) -> str:
        if literal.kind == "date" or (isinstance(literal.value, str) and not literal.value):
            raise ExpressionError(f"a choice of ${{{question}}} is written as its name in quotes, e.g. 'yes'")
        return str(literal.value)

    def compare(self, node: Compare) -> dict[str, Any]:
        left, operator, right = node.left, node.operator, node.right
        if isinstance(left, Literal) and not isinstance(right, Literal):
            left, right, operator = right, left, _FLIPPED[operator]
        if isinstance(left, Count):
            return self.count(left, operator, right)
        if not isinstance(left, Ref):
            raise ExpressionError("a comparison must look at a question's answer, such as ${q} = 'yes'")
        question, kind = self.question(left)
        if isinstance(right, Count):
            raise ExpressionError("compare string-length() or count-selected() with a number, e.g. string-length(${q}) > 0")
        if isinstance(right, Ref):
            return self.two_answers(question, kind, operator, right)
        if right.kind == "string" and right.value == "":
            if operator in ("=", "!="):
                return {"question": question, "answered": operator == "!="}
            raise ExpressionError("compare with '' only by = (not answered) or != (answered)")
        if kind == MULTIPLE:
            raise ExpressionError(f"${{{question}}} allows several answers: use selected(${{{question}}}, 'choice')")
        value = self.value(question, kind, right)
        if operator == "=":
            return {"question": question, "equals": value}
        if operator == "!=":
            return {"not": {"question": question, "equals": value}}
        if kind not in ORDERED_TYPES:
            raise ExpressionError(f"\"{operator}\" works only on number, rating, date and time questions; ${{{question}}} is {kind}")
        if operator == ">=":
            return {"question": question, "at_least": value}
        if operator == "<=":
            return {"question": question, "at_most": value}
        return self.strict(question, kind, operator, value)

    def strict(self, question: str, kind: str, operator: str, value: Any) -> dict[str, Any]:
        """`>` and `<`: the next value of a whole-number, date or time scale, else a negated bound."""
        up = operator == ">"
        if kind in WHOLE_NUMBER_TYPES and isinstance(value, int):
            return {"question": question, "at_least" if up else "at_most": value + 1 if up else value - 1}
        if kind == "date":
            moved = date.fromisoformat(value) + timedelta(days=1 if up else -1)
            return {"question": question, "at_least" if up else "at_most": moved.isoformat()}
        if kind == "time":
            minutes = int(value[:2]) * 60 + int(value[3:]) + (1 if up else -1)
            if 0 <= minutes < 24 * 60:
                moved_time = (datetime(2000, 1, 1) + timedelta(minutes=minutes)).strftime("%H:%M")
                return {"question": question, "at_least" if up else "at_most": moved_time}
        # An unanswered question fails the XLSForm comparison, so "not at most" needs an answer.
        return {"all": [{"question": question, "answered": True}, {"not": {"question": question, "at_most" if up else "at_least": value}}]}

    def two_answers(self, question: str, kind: str, operator: str, right: Ref) -> dict[str, Any]:
        other, other_kind = self.question(right)
        if operator not in (">=", "<="):
            raise ExpressionError("two answers can be compared only with >= or <=")
        if kind not in ORDERED_TYPES or other_kind not in ORDERED_TYPES:
            raise ExpressionError(f"only number, rating, date and time answers can be compared; ${{{question}}} is {kind}, ${{{other}}} is {other_kind}")
        return {"question": question, "at_least" if operator == ">=" else "at_most": {"question": other}}

    def count(self, left: Count, operator: str, right: Operand) -> dict[str, Any]:
        question, _ = self.question(left.ref)
        if not (isinstance(right, Literal) and right.kind == "number" and right.value in (0, 1)):
            raise ExpressionError(f"{left.function}() can only be compared with 0 or 1 to ask whether the question was answered")
        answered = {(">", 0): True, (">=", 1): True, ("!=", 0): True, ("=", 0): False, ("<", 1): False, ("<=", 0): False}
        key = (operator, right.value)
        if key not in answered:
            raise ExpressionError(f"{left.function}() can only be compared with 0 or 1 to ask whether the question was answered")
        return {"question": question, "answered": answered[key]}

    def value(self, question: str, kind: str, literal: Literal) -> str | int | float:
        if kind in SINGLE_TYPES or kind == MULTIPLE:
            return self.choice(question, literal)
        if kind in NUMBER_TYPES:
            if literal.kind == "number":
                return literal.value
            if literal.kind == "string" and isinstance(literal.value, str) and re.fullmatch(r"-?\d+(\.\d+)?", literal.value):
                return _number(literal.value)
            raise ExpressionError(f"${{{question}}} is a {kind} question: compare it with a number")
        if kind == "date":
            if literal.kind in ("date", "string") and isinstance(literal.value, str) and _is_date(literal.value):
                return literal.value
            raise ExpressionError(f"${{{question}}} is a date question: compare it with date('YYYY-MM-DD')")
        if kind == "time":
            if isinstance(literal.value, str) and TIME_PATTERN.match(literal.value):
                return literal.value
            raise ExpressionError(f"${{{question}}} is a time question: compare it with a time written 'HH:MM'")
        if literal.kind != "string":
            raise ExpressionError(f"${{{question}}} is a {kind} question: compare it with text in quotes")
        return literal.value


_FLIPPED = {"=": "=", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def to_condition(text: str, types: Mapping[str, str], visible: frozenset[str], own: str | None = None) -> dict[str, Any]:
    """The CML condition an XLSForm expression says; raises ExpressionError with the reason if none.

    :param types: every question of the questionnaire, id to CML type.
    :param visible: the questions the expression may read (those before it).
    :param own: in a constraint, the question it belongs to ("." and ${own} refer to it).
    """
    return _Converter(types, visible, own).convert(parse_expression_tree(text))


# --- a CML condition to XLSForm --------------------------------------------------------------
def to_expression(condition: Mapping[str, Any], types: Mapping[str, str], own: str | None = None) -> str:
    """The XLSForm expression of a CML condition (already checked by the CML loader).

    :param own: in a constraint, the question it belongs to, written as ".".
    """
    return _Writer(types, own).write(condition)


class _Writer:
    def __init__(self, types: Mapping[str, str], own: str | None) -> None:
        self.types = types
        self.own = own

    def ref(self, question: str) -> str:
        return "." if question == self.own else f"${{{question}}}"

    def write(self, condition: Mapping[str, Any]) -> str:
        if "not" in condition:
            return f"not({self.write(condition['not'])})"
        if "all" in condition:
            return " and ".join(self.part(c) for c in condition["all"])
        if "any" in condition:
            return " or ".join(self.part(c) for c in condition["any"])
        return self.comparison(condition)

    def part(self, condition: Mapping[str, Any]) -> str:
        """A member of `all` or `any`, in parentheses when it is itself a group."""
        text = self.write(condition)
        grouped = "all" in condition or "any" in condition or ("in" in condition and len(condition["in"]) > 1)
        return f"({text})" if grouped else text

    def comparison(self, condition: Mapping[str, Any]) -> str:
        question = condition["question"]
        kind = self.types.get(question, "")
        ref = self.ref(question)
        if "answered" in condition:
            return f"{ref} != ''" if condition["answered"] else f"{ref} = ''"
        if "includes" in condition:
            return f"selected({ref}, {literal(condition['includes'], kind)})"
        if "equals" in condition:
            return f"{ref} = {literal(condition['equals'], kind)}"
        if "in" in condition:
            if kind == MULTIPLE:
                return " or ".join(f"selected({ref}, {literal(v, kind)})" for v in condition["in"])
            return " or ".join(f"{ref} = {literal(v, kind)}" for v in condition["in"])
        operator = ">=" if "at_least" in condition else "<="
        value = condition["at_least"] if "at_least" in condition else condition["at_most"]
        if isinstance(value, Mapping):
            return f"{ref} {operator} {self.ref(value['question'])}"
        return f"{ref} {operator} {literal(value, kind)}"


def literal(value: object, kind: str) -> str:
    """A value as an XLSForm literal: numbers bare, dates as date('…'), the rest quoted."""
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if "e" not in text else f"{value:.12f}".rstrip("0")
    text = str(value)
    if kind == "date" and _is_date(text):
        return f"date('{text}')"
    return f"\"{text}\"" if "'" in text else f"'{text}'"

"""A problem found in a questionnaire file: where it is and what is wrong, for its author."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    """A JSON path into the file, such as `$.sections[0].questions[2].show_if`."""
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}: {self.path}: {self.message}"


class QuestionnaireError(ValueError):
    """Raised by the strict loaders when a questionnaire has problems; carries all of them."""

    def __init__(self, problems: list[Problem], filename: str = "<questionnaire>") -> None:
        self.problems = problems
        self.filename = filename
        super().__init__("\n".join(p.format(filename) for p in problems))


def child(path: str, key: str | int) -> str:
    """The JSON path of `key` inside `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}"

from typing import Any

from wtforms import Field

class FileField(Field): ...

def __getattr__(name: str) -> Any: ...  # validators (FileRequired, FileAllowed, …)

from typing import Any

def __getattr__(name: str) -> Any: ...  # ListWidget, CheckboxInput, …: used only as instances

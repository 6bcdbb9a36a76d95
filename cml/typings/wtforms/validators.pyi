from typing import Any

def __getattr__(name: str) -> Any: ...  # DataRequired, Length, Optional, Regexp, EqualTo, …: used only as instances

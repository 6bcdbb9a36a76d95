"""The demo: regions of Ukraine, the shipped questionnaires, and one account per role."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cml.models import Region
from cml.services import regions, surveys, users

DEMO_ACCOUNTS = (
    ("demo-monitor", "monitor", ("kyiv", "kharkiv")),
    ("demo-lead", "lead", ("kyiv",)),
    ("demo-advocate", "advocate", ()),
    ("demo-admin", "admin", ()),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str | None
    """New when the account was created or its password reset; None when it kept its own."""


def load_demo(survey_dir: Path, reset_passwords: bool = False) -> list[DemoAccount]:
    """Idempotent: a second load updates in place; the accounts keep their passwords unless
    `reset_passwords` (so `dev.py start` can run every day without new passwords to hand out)."""
    data = resources.files("cml.demo").joinpath("regions.json").read_bytes()
    regions.load_regions(regions.parse_regions_file(data, "regions.json"))
    for path in sorted(survey_dir.glob("*.json")):
        surveys.publish(path.read_bytes())
    created = []
    for username, role, codes in DEMO_ACCOUNTS:
        chosen: list[Region] = [r for code in codes if (r := regions.region_by_code(code)) is not None]
        password: str | None = users.random_password()
        user = users.find_user(username)
        if user is None:
            users.create_user(username, password or "", role, chosen)
        else:
            user.role, user.regions, user.active = role, chosen, True
            if reset_passwords:
                users.set_password(user, password or "", None)
            else:
                password = None
        created.append(DemoAccount(username, role, password))
    return created

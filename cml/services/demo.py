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
    password: str


def load_demo(survey_dir: Path) -> list[DemoAccount]:
    """Idempotent: a second load updates in place and gives the accounts new passwords."""
    data = resources.files("cml.demo").joinpath("regions.json").read_bytes()
    regions.load_regions(regions.parse_regions_file(data, "regions.json"))
    for path in sorted(survey_dir.glob("*.json")):
        surveys.publish(path.read_bytes())
    created = []
    for username, role, codes in DEMO_ACCOUNTS:
        chosen: list[Region] = [r for code in codes if (r := regions.region_by_code(code)) is not None]
        password = users.random_password()
        user = users.find_user(username)
        if user is None:
            users.create_user(username, password, role, chosen)
        else:
            user.role, user.regions, user.active = role, chosen, True
            users.set_password(user, password, None)
        created.append(DemoAccount(username, role, password))
    return created

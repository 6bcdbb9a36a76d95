"""What each role may do: the one table of roles and their capabilities.

Views ask `capability_required` (cml.web.access), templates `can(...)`, services
`has_capability`; the access-matrix test reads the same table. A new role or a new
power is one line here. Pure: no Flask, no models, so the models may import the roles
from here without an import circle.
"""

from __future__ import annotations

from typing import Protocol

ROLES = ("monitor", "lead", "advocate", "admin")

_COLLECTING = frozenset({
    "collect",  # record interviews
    "view_own_submissions",  # /collect/mine and the receipts
})
_INDICATORS = frozenset({
    "view_indicators",  # dashboards, the indicator table, the council brief
})
_ACTIONS = frozenset({
    "view_actions",  # the action register and each action's re-check (leads: their regions')
    "manage_actions",  # open an action from a figure, edit it, change its state
})
_CASES = frozenset({
    "manage_cases",  # follow incident reports up as cases: steps, close/reopen, withdrawn consent (their regions)
    "manage_warnings",  # write, publish and withdraw community warnings from cases with consent
})
_WARNINGS = frozenset({
    "view_warnings",  # the region's current warnings and bulletin (signed-in members of the region)
})
_REGIONAL_WORK = frozenset({
    "facility_figures",  # figures facility by facility (internal, not for publication)
    "import_paper",
    "raw_export",
    "review_submissions",
    "correct_submissions",
    "withdraw_submissions",
})

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "monitor": _COLLECTING | _WARNINGS,
    "lead": _COLLECTING | _INDICATORS | _REGIONAL_WORK | _ACTIONS | _CASES | _WARNINGS,
    # Published figures only: aggregates by region, no finer than quarters, never facilities.
    "advocate": _INDICATORS | _ACTIONS | {"advocate_outputs", "all_regions"},
    "admin": _COLLECTING | _INDICATORS | _REGIONAL_WORK | _ACTIONS | _CASES | _WARNINGS | {
        "all_regions",
        "sensitive_answers",  # open sealed answers (raw export, the review page)
        "restore_from_trash",
        "manage_accounts",
        "manage_questionnaires",  # upload, preview, compare, publish and retire questionnaire versions
        "audit_log",
    },
}

CAPABILITIES = frozenset().union(*ROLE_CAPABILITIES.values())


class HasRole(Protocol):
    role: str


def capabilities_of(role: str) -> frozenset[str]:
    """The capabilities of a role (none for an unknown one)."""
    return ROLE_CAPABILITIES.get(role, frozenset())


def has_capability(user: HasRole | None, name: str) -> bool:
    """Whether this user's role has the capability `name`; a misspelt name is an error, not a silent no."""
    if name not in CAPABILITIES:
        raise KeyError(f"unknown capability {name!r}")
    role = getattr(user, "role", None)
    return isinstance(role, str) and name in capabilities_of(role)


def roles_with(name: str) -> frozenset[str]:
    """The roles that have a capability."""
    if name not in CAPABILITIES:
        raise KeyError(f"unknown capability {name!r}")
    return frozenset(role for role, granted in ROLE_CAPABILITIES.items() if name in granted)

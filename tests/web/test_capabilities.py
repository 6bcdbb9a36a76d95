"""The table of roles and capabilities, and the import order it frees."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from cml.auth.capabilities import CAPABILITIES, ROLE_CAPABILITIES, ROLES, has_capability, roles_with


def test_every_role_has_a_row_and_every_row_is_a_role() -> None:
    assert set(ROLE_CAPABILITIES) == set(ROLES)


def test_a_misspelt_capability_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(KeyError):
        has_capability(SimpleNamespace(role="admin"), "reveiw_submissions")
    with pytest.raises(KeyError):
        roles_with("reveiw_submissions")


def test_unknown_roles_and_strangers_may_do_nothing() -> None:
    for name in CAPABILITIES:
        assert not has_capability(SimpleNamespace(role="janitor"), name)
        assert not has_capability(None, name)


def test_only_admins_open_sealed_answers_and_the_trash() -> None:
    assert roles_with("sensitive_answers") == {"admin"}
    assert roles_with("restore_from_trash") == {"admin"}
    assert roles_with("review_submissions") == {"lead", "admin"}


@pytest.mark.parametrize("first", ["cml.models", "cml.auth.loading", "cml.auth.capabilities", "cml.models.accounts", "cml.auth.views"])
def test_the_models_and_the_sign_in_load_in_any_order(first) -> None:
    """The models import the roles from cml.auth: importing either first must work in a fresh interpreter."""
    code = f"import {first}; import cml.auth.loading, cml.models; print(cml.models.User.sees_all_regions)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]

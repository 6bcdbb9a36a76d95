"""Which regions a user may see: the one place region scope is decided.

A view that is asked for a region or facility (a URL's id or code, a filter, a form's choice)
takes it through `load_region`, `load_region_by_id` or `load_facility`: they answer one that is
not there and one that is not the reader's alike, with `NOT_YOURS` (404), so a URL tells
nothing about other regions. `region_for` and `facility_for` answer None instead, for forms
that show their own error.
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from cml.core.bounds import parse_id
from cml.extensions import db
from cml.models import Facility, Region, User


def region_ids(user: User) -> set[int] | None:
    """The ids of the user's regions; None means every region (advocates, admins)."""
    if user.sees_all_regions:
        return None
    return {region.id for region in user.regions}


def visible_regions(user: User) -> list[Region]:
    query = select(Region).order_by(Region.code)
    ids = region_ids(user)
    if ids is not None:
        query = query.where(Region.id.in_(ids))
    return list(db.session.scalars(query))


def can_see_region(user: User, region: Region) -> bool:
    ids = region_ids(user)
    return ids is None or region.id in ids


def restrict_to_user_regions(query: Select, user: User, region_column: object) -> Select:  # type: ignore[type-arg]
    """`query` limited to the rows of the user's regions."""
    ids = region_ids(user)
    if ids is None:
        return query
    return query.where(region_column.in_(ids))  # type: ignore[attr-defined]


def facilities_for(user: User, active_only: bool = True) -> list[Facility]:
    """The facilities a user may record interviews at or look at."""
    query = select(Facility).join(Region).where(Facility.stands_for_region.is_(False)).order_by(Region.code, Facility.name)
    if active_only:
        query = query.where(Facility.active.is_(True))
    return list(db.session.scalars(restrict_to_user_regions(query, user, Facility.region_id)))


def facility_for(user: User, facility_id: object) -> Facility | None:
    """The active facility with this id, only when it is in one of the user's regions."""
    wanted = parse_id(facility_id)
    if wanted is None:
        return None
    query = select(Facility).where(Facility.id == wanted, Facility.active.is_(True), Facility.stands_for_region.is_(False))
    facility: Facility | None = db.session.scalar(restrict_to_user_regions(query, user, Facility.region_id))
    return facility


def region_for(user: User, region_id: object) -> Region | None:
    """The region with this id, only when it is one of the user's."""
    wanted = parse_id(region_id)
    if wanted is None:
        return None
    region = db.session.get(Region, wanted)
    return region if region is not None and can_see_region(user, region) else None


NOT_YOURS = 404
"""The status for a region or facility that is not the reader's: the same as for one that does not exist."""


def not_yours() -> NoReturn:
    abort(NOT_YOURS)


def load_region(user: User, code: str) -> Region:
    """The region with this code (as in a URL's ?region=kyiv), only when it is one of the user's; else `NOT_YOURS`."""
    region: Region | None = db.session.scalar(select(Region).where(Region.code == code[:64]))
    if region is None or not can_see_region(user, region):
        not_yours()
    return region


def load_region_by_id(user: User, region_id: object) -> Region:
    """The region with this id (as a form's choice sends it), only when it is one of the user's; else `NOT_YOURS`."""
    return region_for(user, region_id) or not_yours()


def load_facility(user: User, facility_id: object) -> Facility:
    """The facility with this id, active or not, only when it is in one of the user's regions; else `NOT_YOURS`."""
    wanted = parse_id(facility_id)
    if wanted is None:
        not_yours()
    facility: Facility | None = db.session.scalar(restrict_to_user_regions(select(Facility).where(Facility.id == wanted), user, Facility.region_id))
    return facility if facility is not None else not_yours()


STAND_IN_NAME = "(no facility)"


def stand_in(region: Region) -> Facility:
    """The region's "(no facility)", made on first use (added and flushed in the caller's transaction)."""
    found: Facility | None = db.session.scalar(select(Facility).where(Facility.region_id == region.id, Facility.stands_for_region.is_(True)))
    if found is not None:
        return found
    facility = Facility(region_id=region.id, code=f"~{region.id}", name=STAND_IN_NAME, kind="other", active=True, stands_for_region=True)
    try:
        with db.session.begin_nested():  # another request may make it at the same moment
            db.session.add(facility)
    except IntegrityError:
        return db.session.scalars(select(Facility).where(Facility.code == f"~{region.id}")).one()
    return facility

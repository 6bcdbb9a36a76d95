"""Council meetings and their agendas: which a user may see, what they carry, the meeting before.

A meeting belongs to one council: the national council (no region) or a region's council.
Leads see the meetings of their regions, advocates and administrators every meeting, the
same scope as the actions (`cml.services.actions`), which this module asks for every action
it puts on or reads from an agenda. Every change is recorded in the audit log; the caller commits.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import Select, and_, or_, select

from cml.core.bounds import parse_id
from cml.extensions import db
from cml.models import Action, Meeting, MeetingAction, Region, User
from cml.services import audit
from cml.services.actions import action_for, visible_actions
from cml.services.scope import not_yours, restrict_to_user_regions

NATIONAL, REGIONAL = "national_council", "regional_council"


class MeetingError(ValueError):
    """A meeting or agenda change that cannot be made, with a message for the user (already translated)."""


def visible_meetings(user: User) -> list[Meeting]:
    """The meetings of the user's regions (a lead never sees a national council's), latest first."""
    query = select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    return list(db.session.scalars(restrict_to_user_regions(query, user, Meeting.region_id)))


def meeting_for(user: User, meeting_id: object) -> Meeting:
    """The meeting with this id if the user may see it; 404 otherwise, whether absent or another region's."""
    wanted = parse_id(meeting_id)
    query = select(Meeting).where(Meeting.id == (wanted if wanted is not None else -1))
    meeting: Meeting | None = db.session.scalar(restrict_to_user_regions(query, user, Meeting.region_id))
    return meeting if meeting is not None else not_yours()


def create_meeting(user: User, kind: str, region: Region | None, held_on: date, title: str) -> Meeting:
    """A new meeting (flushed, audited). A regional council has a region, the national council none."""
    if kind not in (NATIONAL, REGIONAL) or (kind == REGIONAL) != (region is not None):
        raise ValueError("a regional council has a region; the national council has none")
    meeting = Meeting(kind=kind, region_id=region.id if region is not None else None, held_on=held_on, title=title.strip(), created_by_id=user.id)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.create", user, target=str(meeting.id), meeting=meeting.id, kind=kind, region=region.code if region is not None else "all",
                 held_on=held_on.isoformat())
    return meeting


def agenda(user: User, meeting: Meeting) -> list[Action]:
    """The meeting's actions in their order, only those the user may see."""
    allowed = {action.id for action in visible_actions(user)}
    return [item.action for item in meeting.agenda if item.action_id in allowed]


def fits(meeting: Meeting, action: Action) -> bool:
    """Whether an action belongs on this council's agenda: a regional council takes its region's actions
    (its facilities' included), the national council any."""
    return meeting.region_id is None or action.region_id == meeting.region_id


def candidates(user: User, meeting: Meeting) -> list[Action]:
    """The actions the user may add: visible, of the council's region, not on the agenda yet."""
    on_agenda = {item.action_id for item in meeting.agenda}
    return [a for a in visible_actions(user) if fits(meeting, a) and a.id not in on_agenda]


def add_to_agenda(user: User, meeting: Meeting, action_id: object) -> Action:
    """Put one of the user's actions last on the agenda (audited); MeetingError if it does not fit or is there."""
    action = action_for(user, parse_id(action_id) or -1)  # 404: another region's action is as absent as a missing one
    if not fits(meeting, action):
        raise MeetingError("region")
    if any(item.action_id == action.id for item in meeting.agenda):
        raise MeetingError("already")
    position = max((item.position for item in meeting.agenda), default=-1) + 1
    meeting.agenda.append(MeetingAction(action_id=action.id, position=position))
    db.session.flush()
    audit.record("meeting.agenda_add", user, target=str(meeting.id), action_id=action.id, position=position)
    return action


def remove_from_agenda(user: User, meeting: Meeting, action_id: object) -> None:
    """Take an action off the agenda (audited); 404 if it is not there or not the user's to see."""
    item = _item(user, meeting, action_id)
    meeting.agenda.remove(item)
    _renumber(meeting)
    db.session.flush()
    audit.record("meeting.agenda_remove", user, target=str(meeting.id), action_id=item.action_id)


def move_on_agenda(user: User, meeting: Meeting, action_id: object, step: int) -> None:
    """Move an action one place up (step -1) or down (+1); at either end nothing changes and nothing is recorded."""
    item = _item(user, meeting, action_id)
    items = list(meeting.agenda)
    index = items.index(item)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    audit.record("meeting.agenda_move", user, target=str(meeting.id), action_id=item.action_id, position=other)


def _item(user: User, meeting: Meeting, action_id: object) -> MeetingAction:
    action = action_for(user, parse_id(action_id) or -1)
    item = next((i for i in meeting.agenda if i.action_id == action.id), None)
    return item if item is not None else abort(404)


def _renumber(meeting: Meeting) -> None:
    for position, item in enumerate(sorted(meeting.agenda, key=lambda i: i.position)):
        item.position = position


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The same council's meeting before this one (by date, then by when it was entered)."""
    earlier = or_(Meeting.held_on < meeting.held_on, and_(Meeting.held_on == meeting.held_on, Meeting.id < meeting.id))
    found: Meeting | None = db.session.scalar(_same_council(meeting.kind, meeting.region_id).where(earlier).order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1))
    return found


def latest_meeting(region_id: int | None, until: date) -> Meeting | None:
    """The latest meeting held on or before `until` of a region's council, or of the national council (None)."""
    kind = NATIONAL if region_id is None else REGIONAL
    query = _same_council(kind, region_id).where(Meeting.held_on <= until).order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1)
    found: Meeting | None = db.session.scalar(query)
    return found


def _same_council(kind: str, region_id: int | None) -> Select[Meeting]:
    region = Meeting.region_id.is_(None) if region_id is None else Meeting.region_id == region_id
    return select(Meeting).where(Meeting.kind == kind, region)

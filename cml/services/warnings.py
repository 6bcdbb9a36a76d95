"""Community warnings ("Ugly Mugs"): drafted by a lead from a case with the person's consent, published with an
expiry, withdrawn; the region's bulletin of the current ones.

Consent decides every step, here and nowhere else: a case without consent to a warning (never given, or withdrawn)
never gets a draft, a draft of it is never published or edited, and none of its warnings is ever current, whatever
their stored state (`current_clause`). A report in the trash takes its warnings off the bulletin too. "Expired" is
not stored: a warning leaves the bulletin the moment its expiry passes (`now`, which tests freeze).

Scope: the warnings of the user's regions (admins: all); drafts and withdrawn ones only for those who manage
warnings. Anything else is "not found". Every change is audited with field names only; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import abort
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, select

from cml.auth.capabilities import has_capability
from cml.core.bounds import parse_id, plain_text
from cml.core.warnings.expiry import (
    MAX_WARNING_DAYS,
    default_last_day,
    expiry_moment,
    expiry_problem,
    is_expired,
    last_day_of,
)
from cml.core.warnings.messenger import Frame, Parts, one_stop
from cml.core.warnings.messenger import messenger_text as compose
from cml.extensions import db
from cml.models import Case, Region, Response, User
from cml.models import Warning as CommunityWarning
from cml.services import audit, surveys
from cml.services.cases import may_warn, report_details
from cml.services.scope import restrict_to_user_regions
from cml.settings import settings

DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
EXPIRED = "expired"
"""Shown, never stored: a published warning past its expiry."""
FIELDS = {"what_happened": 600, "area": 200, "happened_period": 100, "aggressor_description": 600, "vehicle_description": 300}
"""The texts a lead writes, with their longest length in characters."""


class WarningRefused(ValueError):
    """A change the warning does not allow; `reason` is a code the page turns into words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def manages(user: User) -> bool:
    return bool(has_capability(user, "manage_warnings"))


def warning_days() -> int:
    """CML_WARNING_DAYS: how long a warning is shown unless the lead chooses (never past the longest allowed)."""
    return max(1, min(settings().warning_days, MAX_WARNING_DAYS))


def consent_clause() -> ColumnElement[bool]:
    """The warning's case has consent to a warning, not withdrawn, and its report is not in the trash."""
    return and_(Case.consent_warning.is_(True), Case.warning_withdrawn_at.is_(None), Response.deleted_at.is_(None))


def current_clause(at: datetime) -> ColumnElement[bool]:
    """Published, not withdrawn, not expired at `at`, with the case's consent standing."""
    return and_(CommunityWarning.state == PUBLISHED, CommunityWarning.withdrawn_at.is_(None), CommunityWarning.expires_at.is_not(None),
                CommunityWarning.expires_at > at, consent_clause())


def _scoped(user: User) -> Select[CommunityWarning]:
    query = (select(CommunityWarning).join(Case, CommunityWarning.case_id == Case.id).join(Response, Case.submission_id == Response.id))
    scoped: Select[CommunityWarning] = restrict_to_user_regions(query, user, CommunityWarning.region_id)
    return scoped


def current_warnings(user: User, region_id: int | None = None) -> list[CommunityWarning]:
    """The warnings on the bulletin now (of one region, or of all the user's), newest first."""
    if not has_capability(user, "view_warnings"):
        return []
    query = _scoped(user).where(current_clause(now()))
    if region_id is not None:
        query = query.where(CommunityWarning.region_id == region_id)
    return list(db.session.scalars(query.order_by(CommunityWarning.published_at.desc(), CommunityWarning.id.desc())))


def managed_warnings(user: User, region_id: int | None = None) -> list[CommunityWarning]:
    """Every warning of the user's regions in every state, for those who manage them; newest first."""
    if not manages(user):
        return []
    query = _scoped(user)
    if region_id is not None:
        query = query.where(CommunityWarning.region_id == region_id)
    return list(db.session.scalars(query.order_by(CommunityWarning.updated_at.desc(), CommunityWarning.id.desc())))


def warning_for(user: User, warning_id: object) -> CommunityWarning:
    """A warning the user may see: a current one of their regions, or any of their regions' for those who manage
    warnings. 404 otherwise, whether absent, another region's, expired, withdrawn or without consent."""
    wanted = parse_id(warning_id)
    if wanted is None or not has_capability(user, "view_warnings"):
        abort(404)
    query = _scoped(user).where(CommunityWarning.id == wanted)
    if not manages(user):
        query = query.where(current_clause(now()))
    found: CommunityWarning | None = db.session.scalar(query)
    return found or abort(404)


def shown_state(warning: CommunityWarning, at: datetime | None = None) -> str:
    """draft, published, withdrawn, or expired (published and past its expiry)."""
    if warning.state == PUBLISHED and is_expired(warning.expires_at, at or now()):
        return EXPIRED
    return str(warning.state)


def existing_warning(case: Case) -> CommunityWarning | None:
    """The case's latest warning that is not withdrawn (a case has one warning at a time)."""
    query = select(CommunityWarning).where(CommunityWarning.case_id == case.id, CommunityWarning.state != WITHDRAWN)
    return db.session.scalar(query.order_by(CommunityWarning.id.desc()).limit(1))


def _refuse_without_consent(case: Case) -> None:
    if not may_warn(case) or case.response is None or case.response.deleted_at is not None:
        raise WarningRefused("no_consent")


def draft_from_case(user: User, case: Case, language: str) -> CommunityWarning:
    """A draft prefilled from the report (flushed, audited), or the case's warning if it has one. Refused
    (no_consent) when the person did not consent to a warning or withdrew it: nothing is read from the report then."""
    if not manages(user):
        raise WarningRefused("role")
    _refuse_without_consent(case)
    found = existing_warning(case)
    if found is not None:
        return found
    prefill = prefilled(case, user, language)
    warning = CommunityWarning(case_id=case.id, region_id=case.region_id, state=DRAFT, created_by_id=user.id, **prefill)
    db.session.add(warning)
    db.session.flush()
    audit.record("warning.draft", user, target=f"warning:{warning.id}", warning_id=warning.id, case_id=case.id,
                 region_id=case.region_id, fields=sorted(name for name, value in prefill.items() if value))
    return warning


def prefilled(case: Case, user: User, language: str) -> dict[str, str]:
    """The draft's texts from the report: the kinds of violence and who did it (in words), the town or district
    (never an address: the report asks for none), the month, the aggressor's description. The report's own
    story is never copied: it is the person's account and may identify them."""
    details = report_details(case, user)
    model = surveys.model_of(case.response.version)
    with force_locale(language):
        kinds = _choice_words(model, "violence_types", details.get("violence_types"), language)
        who = _choice_words(model, "perpetrator", details.get("perpetrator"), language)
        place = _choice_words(model, "place", details.get("place"), language)
        sentences = [kinds] if kinds else []
        if who:
            sentences.append(_("By: %(who)s", who=who))
        if place:
            sentences.append(_("Place: %(place)s", place=place))
        period = _month_words(details.get("incident_date") or details.get("interview_date"))
    texts = {
        "what_happened": ". ".join(sentences) + ("." if sentences else ""),
        "area": _text(details.get("place_area")),
        "happened_period": period,
        "aggressor_description": _text(details.get("aggressor_description")),
        "vehicle_description": "",
    }
    return {name: value[: FIELDS[name]] for name, value in texts.items()}


def _text(value: object) -> str:
    return plain_text(value).strip() if isinstance(value, str) else ""


def _choice_words(model: Any, question_id: str, value: object, language: str) -> str:
    """Chosen answers as words, each label's short part (before a dash that explains it)."""
    question = model.question(question_id)
    chosen = value if isinstance(value, list) else [value] if isinstance(value, str) and value else []
    words = []
    for choice_id in chosen:
        choice = question.choice(str(choice_id)) if question is not None else None
        label = model.text(choice.label, language) if choice is not None else ""
        if label:
            words.append(label.split(" — ")[0].strip())
    return "; ".join(words)


def _month_words(raw: object) -> str:
    """"November 2026" in the lead's language, from an ISO date."""
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        return ""
    return str(format_date(day, "LLLL yyyy"))


def clean_texts(texts: Mapping[str, object]) -> dict[str, str]:
    """The lead's texts, trimmed and storable; WarningRefused("too_long") when one is over its length."""
    cleaned = {}
    for name, limit in FIELDS.items():
        value = plain_text(str(texts.get(name) or "")).strip()
        if len(value) > limit:
            raise WarningRefused("too_long")
        cleaned[name] = value
    return cleaned


def edit(user: User, warning: CommunityWarning, texts: Mapping[str, object]) -> list[str]:
    """Save the lead's texts (audited with the names of the fields that changed); the changed names.
    A withdrawn warning is not edited; a published one may be corrected and stays published."""
    case = warning.case
    _refuse_without_consent(case)
    if warning.state == WITHDRAWN:
        raise WarningRefused("withdrawn")
    cleaned = clean_texts(texts)
    changed = [name for name, value in cleaned.items() if getattr(warning, name) != value]
    for name in changed:
        setattr(warning, name, cleaned[name])
    if changed:
        warning.updated_at = now()
        db.session.flush()
        audit.record("warning.edit", user, target=f"warning:{warning.id}", warning_id=warning.id, fields=changed, state=warning.state)
    return changed


def publish(user: User, warning: CommunityWarning, last_day: date | None = None) -> None:
    """Publish a draft (or change a published warning's last day), shown until the end of `last_day` (default
    CML_WARNING_DAYS from today). Refused: no consent, withdrawn, nothing written, a day in the past or too far."""
    case = warning.case
    _refuse_without_consent(case)
    if warning.state == WITHDRAWN:
        raise WarningRefused("withdrawn")
    if not warning.what_happened.strip():
        raise WarningRefused("empty")
    day = last_day or default_last_day(today(), warning_days())
    problem = expiry_problem(day, today())
    if problem is not None:
        raise WarningRefused(problem)
    previous = warning.state
    moment = now()
    warning.expires_at = expiry_moment(day)
    if previous != PUBLISHED:
        warning.state, warning.published_at, warning.published_by_id = PUBLISHED, moment, user.id
    warning.updated_at = moment
    db.session.flush()
    audit.record("warning.publish", user, target=f"warning:{warning.id}", warning_id=warning.id, region_id=warning.region_id,
                 last_day=day.isoformat(), previous=previous)


def withdraw(user: User, warning: CommunityWarning) -> bool:
    """Take a warning off (a draft is discarded the same way); whether it changed. Never undone: a new warning
    is a new draft."""
    if warning.state == WITHDRAWN:
        return False
    previous = warning.state
    warning.state, warning.withdrawn_at = WITHDRAWN, now()
    warning.updated_at = warning.withdrawn_at
    db.session.flush()
    audit.record("warning.withdraw", user, target=f"warning:{warning.id}", warning_id=warning.id, previous=previous)
    return True


def frame(warning: CommunityWarning, region: Region, language: str) -> Frame:
    """The messenger text's words in `language` (the lead's texts stay as written)."""
    with force_locale(language):
        until = format_date(last_day_of(warning.expires_at), "long") if warning.expires_at is not None else ""
        closing = (one_stop(_("Until %(day)s.", day=until)) + " " if until else "") + _("Keep it within the community.")
        return Frame(title=_("WARNING · %(region)s", region=region.label(language)), where=_("Where"), when=_("When"),
                     aggressor=_("Aggressor"), vehicle=_("Vehicle"), closing=closing)


def messenger_text(warning: CommunityWarning, language: str) -> str:
    """The warning as at most 600 characters of plain text for a messenger."""
    parts = Parts(warning.what_happened, warning.area, warning.happened_period, warning.aggressor_description, warning.vehicle_description)
    return compose(parts, frame(warning, warning.region, language))


@dataclass(frozen=True)
class Bulletin:
    region: Region
    language: str
    made_on: date
    items: list[tuple[CommunityWarning, str]]
    """Each current warning with its messenger text."""


def bulletin(user: User, region: Region, language: str) -> Bulletin:
    """The region's current warnings with their messenger texts, in the reader's language (the caller has checked
    the region is the user's)."""
    items = [(w, messenger_text(w, language)) for w in current_warnings(user, region.id)]
    return Bulletin(region=region, language=language, made_on=today(), items=items)


def may_draft(case: Case) -> bool:
    """Whether a draft may be made from this case (the person's consent stands and the report is not in the trash)."""
    try:
        _refuse_without_consent(case)
    except WarningRefused:
        return False
    return True

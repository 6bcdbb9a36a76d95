"""The review list (filters, pages) and one page per submission with its state buttons."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from cml.auth.capabilities import has_capability
from cml.collect.answer_rows import answer_rows
from cml.core.answers import CleanedAnswers
from cml.core.bounds import parse_id
from cml.core.questionnaire import REVIEW_STATES
from cml.extensions import db
from cml.models import Response, User
from cml.services import review, scope, surveys
from cml.services.responses import all_answers
from cml.services.scope import visible_regions
from cml.web.access import capability_required
from cml.web.i18n import current_language
from cml.web.labels import review_state_names

MAX_PAGE = 10_000


def _month(text: str | None) -> int | None:
    """YYYY-MM (as a month field sends it) as YYYYMM; None when empty or not a month."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        return None
    year, month = int(text[:4]), int(text[5:])
    return year * 100 + month if 2000 <= year <= 2999 and 1 <= month <= 12 else None


def _filters() -> tuple[review.Filters, dict[str, str]]:
    """The list's filters from the query string, and their values to keep in links. A region or
    facility that is not the reviewer's is a 404, as everywhere; anything unreadable is "any"."""
    args = request.args
    questionnaire_id = None
    code = args.get("questionnaire", "")
    if code:
        row = next((q for q in review.questionnaires() if q.code == code), None) or abort(404)
        questionnaire_id = row.id
    region = scope.load_region(current_user, args["region"]) if args.get("region") else None
    facility_id = parse_id(args.get("facility"))
    if facility_id is not None:
        scope.load_facility(current_user, facility_id)
    state = args.get("state") if args.get("state") in REVIEW_STATES else None
    month = _month(args.get("month"))
    kept = {"questionnaire": code, "region": region.code if region else "", "facility": str(facility_id) if facility_id else "",
            "state": state or "", "month": f"{month // 100:04d}-{month % 100:02d}" if month else ""}
    return review.Filters(questionnaire_id, region.id if region else None, facility_id, state, month), {k: v for k, v in kept.items() if v}


@capability_required("review_submissions")
def submissions() -> str:
    """The submissions of the reviewer's regions, newest first, filtered and paged."""
    filters, kept = _filters()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    rows, total = review.listed(current_user, filters, page)
    return render_template("review/list.html", rows=rows, total=total, page=page, pages=max((total + review.PAGE_SIZE - 1) // review.PAGE_SIZE, 1),
                           filters=kept, questionnaires=review.questionnaires(), regions=visible_regions(current_user),
                           facilities=review.facilities_in(current_user), states=review_state_names(), language=current_language())


def _shown(response: Response) -> tuple[list[dict[str, object]], bool]:
    """The answer rows a reviewer may read, and whether sensitive ones were left out (only those who
    may open sealed answers, as for the raw export, see them)."""
    opens = has_capability(current_user, "sensitive_answers")
    answers = all_answers(response) if opens else dict(response.answers)
    model = surveys.model_of(response.version)
    rows = answer_rows(model, CleanedAnswers(answers=answers, errors={}), current_language())
    return rows, response.sealed_answers is not None and not opens


@capability_required("review_submissions")
def submission(submission_id: uuid.UUID) -> HttpResponse | tuple[str, int] | str:
    """One submission: its answers and state; the buttons give it a new state."""
    response = review.find(current_user, submission_id, for_update=request.method == "POST") or abort(404)
    error = None
    comment = response.review_comment or ""
    if request.method == "POST":
        comment = request.form.get("comment", "")
        try:
            review.set_state(response, request.form.get("state", ""), comment, current_user)
        except review.ReviewRefused as refused:
            db.session.rollback()
            response = review.find(current_user, submission_id) or abort(404)
            error = _refusal(refused.reason)
        else:
            db.session.commit()
            flash(_("Saved: %(state)s.", state=review_state_names()[response.review_state]), "success")
            return redirect(url_for("review.submission", submission_id=submission_id, **_back_args()), 303)
    rows, hidden = _shown(response)
    reviewer = db.session.get(User, response.reviewed_by_id) if response.reviewed_by_id else None
    return render_template("review/submission.html", response=response, rows=rows, sensitive_hidden=hidden, reviewer=reviewer,
                           comment=comment[: review.COMMENT_MAX], error=error, states=review_state_names(), back=_back_args(),
                           comment_max=review.COMMENT_MAX, language=current_language()), (422 if error else 200)


def _back_args() -> dict[str, Any]:  # Any: url_for's **values (a str value could not fill its _external)
    """The list's filters, carried through a submission's page so "back to the list" returns to them."""
    return {key: value[:40] for key in ("questionnaire", "region", "facility", "state", "month", "page")
            if (value := request.args.get(key))}


def _refusal(reason: str) -> str:
    if reason == "comment_required":
        return _("Please write what needs fixing: the person who sent it reads this comment.")
    if reason == "comment_too_long":
        return _("Please shorten the comment to %(count)d characters.", count=review.COMMENT_MAX)
    return _("Please choose one of the buttons.")

"""Questionnaires in the browser: upload (JSON or XLSForm) as a draft, preview it as a monitor will see
it, compare it with the published version, publish it; retire and un-retire published versions.

Nothing is published on upload; a draft belongs to the administrator who uploaded it (another's
draft is a 404). Each handler commits once.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as HttpResponse

from cml.admin.forms import UploadForm
from cml.collect.offline_strings import app_strings
from cml.core.questionnaire import translate
from cml.extensions import db
from cml.models import Questionnaire, QuestionnaireDraft, QuestionnaireVersion, Response, User
from cml.services import questionnaire_drafts as drafts
from cml.services import surveys
from cml.web.access import capability_required
from cml.web.answer_messages import message_templates, plural_templates
from cml.web.i18n import current_language, in_every_language, language_name


@capability_required("manage_questionnaires")
def questionnaire_list() -> HttpResponse | str:
    """Published questionnaires with their versions, the administrator's drafts, and the upload form."""
    form = UploadForm()
    problems: list[drafts.UploadProblem] = []
    filename = ""
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "upload.json").rsplit("/", 1)[-1]
        data = upload.read(drafts.MAX_UPLOAD_BYTES + 1)
        read = drafts.read_upload(data, filename)
        if read.document is not None:
            draft = drafts.save_draft(read.document, filename, current_user)
            db.session.commit()
            flash(_("%(file)s has no problems. It is a draft: preview it, compare it with the published version, then publish it.", file=filename),
                  "success")
            return redirect(url_for("admin.questionnaire_draft", draft_id=draft.id), 303)
        problems = read.problems
    return render_template("admin/questionnaires.html", form=form, questionnaires=_published(), drafts=drafts.drafts_of(current_user),
                           problems=problems, filename=filename, language=current_language())


def _published() -> list[dict[str, Any]]:
    """Each questionnaire with its versions, newest first: when and by whom published, retired or not, responses."""
    rows = list(db.session.scalars(select(Questionnaire).order_by(Questionnaire.code)))
    counts = dict(db.session.execute(
        select(Response.questionnaire_version_id, func.count(Response.id)).where(Response.deleted_at.is_(None)).group_by(Response.questionnaire_version_id)
    ).all())
    names: dict[int | None, str] = dict(db.session.execute(select(User.id, User.username)).all())  # None (nobody) names no one
    return [
        {
            "row": q,
            "collecting": next((v.version for v in reversed(q.versions) if not surveys.is_retired(v)), None),
            "versions": [
                {"version": v, "responses": counts.get(v.id, 0), "by": names.get(v.published_by_id), "retired_by": names.get(v.retired_by_id)}
                for v in reversed(q.versions)
            ],
        }
        for q in rows
    ]


def _draft(draft_id: int) -> QuestionnaireDraft:
    return drafts.draft_of(current_user, draft_id) or abort(404)


@capability_required("manage_questionnaires")
def questionnaire_draft(draft_id: int) -> str:
    """A draft: what it changes against the published version, and the way to its preview and to publish it."""
    draft = _draft(draft_id)
    model = drafts.model(draft)
    comparison = drafts.comparison(draft)
    language = current_language()
    return render_template("admin/questionnaire_draft.html", draft=draft, model=model, comparison=comparison,
                           text=lambda value: translate(value, language, model.default_language) if value else "",
                           aspects=_aspect_names(), settings=_setting_names(), same=_same_as_published(draft),
                           language=language)


def _same_as_published(draft: QuestionnaireDraft) -> bool:
    """Whether this very content is already the published version (publishing it would change nothing)."""
    latest = surveys.latest_version(draft.code)
    return latest is not None and latest.content == draft.content


def _aspect_names() -> dict[str, str]:
    return {
        "type": _("type"), "label": _("wording"), "hint": _("hint"), "section": _("section"), "show_if": _("skip logic"),
        "constraint": _("constraint"), "required": _("required"), "choices": _("choices"), "limits": _("limits"),
        "sensitive": _("sensitive"), "numerator": _("numerator"), "denominator": _("denominator"), "question": _("question averaged"),
        "target": _("target"), "better": _("direction"),
    }


def _setting_names() -> dict[str, str]:
    return {
        "title": _("title"), "languages": _("languages"), "subject": _("what a response belongs to"), "sampling": _("sampling"),
        "disclosure": _("small-cell rule"), "counted_states": _("review states that count"), "sections": _("sections"),
    }


@capability_required("manage_questionnaires")
def questionnaire_preview(draft_id: int) -> str:
    """The draft page by page as the offline app draws it (its engine and renderer), with live skip logic and
    checks, in each of its languages; nothing is stored and no interview is opened."""
    draft = _draft(draft_id)
    model = drafts.model(draft)
    setup = {
        "definition": json.loads(draft.content),
        "strings": in_every_language(lambda _language: app_strings()),
        "messages": in_every_language(lambda _language: message_templates()),
        "plurals": in_every_language(lambda _language: plural_templates()),
    }
    reader = current_language()
    start = reader if reader in model.languages else model.default_language
    return render_template("admin/questionnaire_preview.html", draft=draft, model=model, start=start, language=reader,
                           setup=json.dumps(setup, ensure_ascii=False, sort_keys=True),
                           names={code: _own_name(code) for code in model.languages})


def _own_name(code: str) -> str:
    """A language's name in itself, capitalised as a button label ("українська" -> "Українська")."""
    name = language_name(code, code)
    return name[:1].upper() + name[1:]


@capability_required("manage_questionnaires")
def questionnaire_publish(draft_id: int) -> HttpResponse | tuple[str, int]:
    """Publish the draft with the checks of `surveys publish` (the next version number; audit-logged)."""
    draft = _draft(draft_id)
    try:
        published = drafts.publish(draft, current_user)
    except surveys.PublishError as error:
        db.session.rollback()
        flash(_("Not published: %(problems)s", problems="; ".join(p.message for p in error.problems)), "error")
        return redirect(url_for("admin.questionnaire_draft", draft_id=draft_id), 303)
    db.session.commit()
    v = published.version
    if published.created:
        flash(_("Published %(code)s version %(version)d.", code=v.questionnaire.code, version=v.version), "success")
    else:
        flash(_("%(code)s version %(version)d was already published with exactly this content.", code=v.questionnaire.code, version=v.version),
              "success")
    return redirect(url_for("admin.questionnaire_list"), 303)


@capability_required("manage_questionnaires")
def questionnaire_discard(draft_id: int) -> HttpResponse:
    draft = _draft(draft_id)
    name = draft.source_filename
    drafts.discard(draft, current_user)
    db.session.commit()
    flash(_("Draft %(file)s discarded.", file=name), "success")
    return redirect(url_for("admin.questionnaire_list"), 303)


@capability_required("manage_questionnaires")
def questionnaire_retire(code: str, number: int) -> HttpResponse:
    """Retire a version (no new interviews on it; its responses keep counting) or, with retire=0, bring it back."""
    version: QuestionnaireVersion = surveys.version_of(code, number) or abort(404)
    retire = request.form.get("retire") != "0"
    if surveys.set_retired(version, retire, current_user):
        db.session.commit()
    if retire:
        flash(_("%(code)s version %(version)d is retired: no new interviews start on it; its responses keep counting.", code=code, version=number),
              "success")
    else:
        flash(_("%(code)s version %(version)d takes new interviews again.", code=code, version=number), "success")
    return redirect(url_for("admin.questionnaire_list"), 303)

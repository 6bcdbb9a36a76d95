"""Audit events told as sentences in the reader's language, with regions by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from cml.cases.labels import case_state_names, consent_names, step_kind_names, step_outcome_names
from cml.extensions import db
from cml.models import AuditEvent, Region
from cml.web.action_labels import action_state_names
from cml.web.i18n import language_name
from cml.web.labels import review_state_names, role_names
from cml.web.warning_labels import warning_audit_names, warning_audit_sentences


class Names:
    """What a sentence needs to turn stored codes and ids into words."""

    def __init__(self, language: str) -> None:
        self.language = language
        regions = list(db.session.scalars(select(Region)))
        self.by_code = {r.code: r.label(language) for r in regions}
        self.by_id = {r.id: r.label(language) for r in regions}
        self.roles = role_names()

    def regions(self, values: Any) -> str:
        """Codes or ids of regions as names; 'all regions' for "all", '—' for none."""
        if values == "all":
            return _("all regions")
        if not isinstance(values, list) or not values:
            return "—"
        names = [self.by_code.get(v, str(v)) if isinstance(v, str) else self.by_id.get(v, str(v)) for v in values]
        return ", ".join(names)

    def role(self, value: Any) -> str:
        return self.roles.get(str(value), str(value))


def _from(d: Mapping[str, Any]) -> str:
    return _(" from network %(address)s", address=d["address"]) if d.get("address") else ""


def _login(d: Mapping[str, Any], n: Names) -> str:
    return _("Signed in%(from)s.", **{"from": _from(d)})


def _login_failed(d: Mapping[str, Any], n: Names) -> str:
    if d.get("known"):
        text = _("Wrong password for this account%(from)s.", **{"from": _from(d)})
    else:
        text = _("Sign-in with an unknown username%(from)s.", **{"from": _from(d)})
    return text + (" " + _("From ODK Collect or KoboCollect.") if d.get("channel") == "openrosa" else "")


def _logout(d: Mapping[str, Any], n: Names) -> str:
    return _("Signed out%(from)s.", **{"from": _from(d)})


def _session_end(d: Mapping[str, Any], n: Names) -> str:
    return _("Signed this device out.") if d.get("this_device") else _("Signed another device out.")


def _sessions_ended(count: Any) -> str:
    count = int(count or 0)
    return ngettext("%(num)d session ended.", "%(num)d sessions ended.", count) if count else ""


def _session_end_others(d: Mapping[str, Any], n: Names) -> str:
    return _("Signed every other device out.") + " " + _sessions_ended(d.get("sessions_ended"))


def _user_create(d: Mapping[str, Any], n: Names) -> str:
    text = _("Account created: %(role)s, regions: %(regions)s.", role=n.role(d.get("role")), regions=n.regions(d.get("regions")))
    if d.get("temporary_password"):
        text += " " + _("The password must be changed at the first sign-in.")
    return text


def _user_update(d: Mapping[str, Any], n: Names) -> str:
    before, after = d.get("before") or {}, d.get("after") or {}
    parts = []
    if before.get("role") != after.get("role"):
        parts.append(_("Role: %(before)s → %(after)s.", before=n.role(before.get("role")), after=n.role(after.get("role"))))
    if before.get("regions") != after.get("regions"):
        parts.append(_("Regions: %(before)s → %(after)s.", before=n.regions(before.get("regions")), after=n.regions(after.get("regions"))))
    if before.get("active") and not after.get("active"):
        parts.append(_("Deactivated."))
    elif after.get("active") and not before.get("active"):
        parts.append(_("Reactivated."))
    parts.append(_sessions_ended(after.get("sessions_ended")))
    return " ".join(p for p in parts if p) or _("Account saved unchanged.")


def _user_password(d: Mapping[str, Any], n: Names) -> str:
    text = _("Temporary password set; it must be changed at the next sign-in.") if d.get("temporary") else _("Password changed.")
    return " ".join(p for p in (text, _sessions_ended(d.get("sessions_ended"))) if p)


def _publish(d: Mapping[str, Any], n: Names) -> str:
    return _("Questionnaire published (content fingerprint %(hash)s).", hash=d.get("hash", ""))


def _facility_names(d: Mapping[str, Any], n: Names) -> str:
    after = d.get("after") or {}
    shown = "; ".join(f"{language_name(code, n.language)}: {name}" for code, name in after.items())
    return _("Facility names set: %(names)s.", names=shown)


def _regions_load(d: Mapping[str, Any], n: Names) -> str:
    return _("Regions loaded: %(ra)d added, %(ru)d updated; facilities: %(fa)d added, %(fu)d updated.",
             ra=int(d.get("regions_added", 0)), ru=int(d.get("regions_updated", 0)),
             fa=int(d.get("facilities_added", 0)), fu=int(d.get("facilities_updated", 0)))


def _import(d: Mapping[str, Any], n: Names) -> str:
    return _("Paper forms imported: %(rows)d rows, %(stored)d stored, %(duplicates)d already stored, %(invalid)d invalid.",
             rows=int(d.get("rows", 0)), stored=int(d.get("stored", 0)), duplicates=int(d.get("duplicates", 0)), invalid=int(d.get("invalid", 0)))


def _import_failed(d: Mapping[str, Any], n: Names) -> str:
    if d.get("file_problem"):
        return _("Paper forms refused: the file could not be read.")
    return _("Paper forms refused: %(rows)d rows, %(invalid)d invalid, %(problems)d problems; nothing stored.",
             rows=int(d.get("rows", 0)), invalid=int(d.get("invalid", 0)), problems=int(d.get("problems", 0)))


def _export_indicators(d: Mapping[str, Any], n: Names) -> str:
    text = _("Indicator table downloaded as %(format)s, rows by %(breakdown)s: %(rows)d rows.",
             format=str(d.get("format", "")).upper(), breakdown=d.get("breakdown", ""), rows=int(d.get("rows", 0)))
    return text + (" " + _("Through the API, with a token.") if d.get("channel") == "api" else "")


def _export_dhis2(d: Mapping[str, Any], n: Names) -> str:
    return _("DHIS2 payload made for data set %(data_set)s: %(values)d data values; %(withheld)d withheld cells left out.",
             data_set=d.get("data_set", ""), values=int(d.get("values", 0)), withheld=int(d.get("withheld", 0)))


def _export_dhis2_push(d: Mapping[str, Any], n: Names) -> str:
    if d.get("outcome") == "failed":
        return _("DHIS2 push to %(server)s failed: no import took place.", server=d.get("server", ""))
    text = _("DHIS2 push to %(server)s: %(status)s; imported %(imported)d, updated %(updated)d, ignored %(ignored)d, %(conflicts)d conflicts.",
             server=d.get("server", ""), status=d.get("outcome", ""), imported=int(d.get("imported", 0)), updated=int(d.get("updated", 0)),
             ignored=int(d.get("ignored", 0)), conflicts=int(d.get("conflicts", 0)))
    return text + (" " + _("Dry run: nothing stored.") if d.get("dry_run") else "")


def _export_dhis2_retract(d: Mapping[str, Any], n: Names) -> str:
    if d.get("outcome") == "failed":
        return _("DHIS2 retraction at %(server)s failed: nothing was deleted.", server=d.get("server", ""))
    text = _("Values no longer published deleted from DHIS2 at %(server)s: %(status)s; deleted %(deleted)d, not held %(ignored)d.",
             server=d.get("server", ""), status=d.get("outcome", ""), deleted=int(d.get("deleted", 0)), ignored=int(d.get("ignored", 0)))
    return text + (" " + _("Dry run: nothing stored.") if d.get("dry_run") else "")


def _export_raw(d: Mapping[str, Any], n: Names) -> str:
    text = _("Raw data downloaded as %(format)s: %(rows)d rows, regions: %(regions)s.",
             format=str(d.get("format", "")).upper(), rows=int(d.get("rows", 0)), regions=n.regions(d.get("regions")))
    return text + " " + (_("Sensitive answers included.") if d.get("sensitive") else _("Sensitive answers left out."))


def _brief(d: Mapping[str, Any], n: Names, pdf: bool) -> str:
    region = n.regions([d["region"]]) if d.get("region") not in (None, "all") else _("all regions")
    words = {"period": d.get("period", ""), "region": region, "language": language_name(str(d.get("language", "")), n.language)}
    if pdf:
        return _("Brief downloaded as PDF: %(period)s, %(region)s, in %(language)s.", **words)
    return _("Brief viewed: %(period)s, %(region)s, in %(language)s.", **words) + _from(d).rstrip()


def _review(d: Mapping[str, Any], n: Names) -> str:
    names = review_state_names()
    return _("Review state: %(before)s → %(after)s.", before=names.get(str(d.get("before")), str(d.get("before", ""))),
             after=names.get(str(d.get("state")), str(d.get("state", ""))))


def _correct(d: Mapping[str, Any], n: Names) -> str:
    what = {"answers": _("answers"), "facility": _("facility"), "date": _("interview date")}
    changed = ", ".join(what.get(str(c), str(c)) for c in d.get("changed") or [])
    return _("Submission %(id)s corrected (%(changed)s); version %(n)s kept in its history.",
             id=d.get("response", ""), changed=changed or "—", n=d.get("revision", ""))


def _purge(d: Mapping[str, Any], n: Names) -> str:
    count = int(d.get("count", 0))
    return ngettext("%(num)d submission purged from the trash with its history.", "%(num)d submissions purged from the trash with their history.", count)


def _meeting_create(d: Mapping[str, Any], n: Names) -> str:
    council = _("national council") if d.get("kind") == "national_council" else n.regions([d.get("region")])
    return _("Meeting %(id)s of the council (%(council)s) on %(day)s added.", id=d.get("meeting", ""), council=council, day=d.get("held_on", ""))


def _action_create(d: Mapping[str, Any], n: Names) -> str:
    region = n.by_id.get(d["region_id"], str(d["region_id"])) if d.get("region_id") is not None else _("national")
    where = _("a facility in %(region)s", region=region) if d.get("facility_id") is not None else region
    return _("Action %(id)s opened on %(indicator)s (%(questionnaire)s), %(where)s, %(period)s.", id=d.get("action_id", ""),
             indicator=d.get("indicator", ""), questionnaire=d.get("questionnaire", ""), where=where, period=d.get("period", ""))


def _action_edit(d: Mapping[str, Any], n: Names) -> str:
    labels = {"problem": _("problem"), "duty_bearer_kind": _("kind of duty bearer"), "duty_bearer": _("duty bearer"),
              "asked": _("what was asked"), "commitment": _("commitment"), "commitment_where": _("where committed"),
              "commitment_on": _("when committed"), "owner": _("owner"), "due_period": _("due quarter")}
    fields = ", ".join(labels.get(str(f), str(f)) for f in d.get("fields") or [])
    return _("Action %(id)s edited (%(fields)s).", id=d.get("action_id", ""), fields=fields or "—")


def _action_state(d: Mapping[str, Any], n: Names) -> str:
    names = action_state_names()
    return _("Action %(id)s: %(before)s → %(after)s.", id=d.get("action_id", ""), before=names.get(str(d.get("previous")), str(d.get("previous", ""))),
             after=names.get(str(d.get("state")), str(d.get("state", ""))))


def _case_create(d: Mapping[str, Any], n: Names) -> str:
    uses = consent_names()
    given = ", ".join(uses.get(str(u), str(u)).lower() for u in d.get("consents") or [])
    return _("Case %(id)s opened from an incident report (%(region)s); the person consented to: %(uses)s.", id=d.get("case_id", ""),
             region=n.regions([d.get("region_id")]), uses=given or _("nothing"))


def _case_step(d: Mapping[str, Any], n: Names) -> str:
    kind = step_kind_names().get(str(d.get("kind")), str(d.get("kind", "")))
    outcome = step_outcome_names().get(str(d.get("outcome")), str(d.get("outcome", "")))
    if d.get("fields"):
        return _("Step added to case %(id)s: %(kind)s, %(outcome)s (with a note).", id=d.get("case_id", ""), kind=kind, outcome=outcome)
    return _("Step added to case %(id)s: %(kind)s, %(outcome)s.", id=d.get("case_id", ""), kind=kind, outcome=outcome)


def _case_state(d: Mapping[str, Any], n: Names) -> str:
    names = case_state_names()
    return _("Case %(id)s: %(before)s → %(after)s.", id=d.get("case_id", ""), before=names.get(str(d.get("previous")), str(d.get("previous", ""))),
             after=names.get(str(d.get("state")), str(d.get("state", ""))))


def _case_consent(d: Mapping[str, Any], n: Names) -> str:
    use = consent_names().get(str(d.get("consent")), str(d.get("consent", ""))).lower()
    text = _("Case %(id)s: the person withdrew their consent to be %(use)s.", id=d.get("case_id", ""), use=use)
    taken_off = d.get("warnings_withdrawn") or []
    if taken_off:
        text += " " + ngettext("%(num)d warning taken off.", "%(num)d warnings taken off.", len(taken_off))
    return text


def _refused(d: Mapping[str, Any], n: Names, why: str) -> str:
    return why + " " + str(d.get("method", "")) + " " + str(d.get("path", "")) + _from(d)


SENTENCES: dict[str, Callable[[Mapping[str, Any], Names], str]] = {
    "login": _login,
    "login.failed": _login_failed,
    "logout": _logout,
    "session.end": _session_end,
    "session.end_others": _session_end_others,
    "user.create": _user_create,
    "user.update": _user_update,
    "user.password": _user_password,
    "questionnaire.publish": _publish,
    "questionnaire.draft": lambda d, n: _("Questionnaire file %(file)s checked and kept as a draft.", file=d.get("file", "")),
    "questionnaire.discard": lambda d, n: _("Questionnaire draft discarded."),
    "questionnaire.retire": lambda d, n: _("Version retired: no new interviews start on it."),
    "questionnaire.unretire": lambda d, n: _("Version takes new interviews again."),
    "regions.load": _regions_load,
    "facility.names": _facility_names,
    "responses.import": _import,
    "responses.import_failed": _import_failed,
    "export.indicators": _export_indicators,
    "export.raw": _export_raw,
    "export.dhis2": _export_dhis2,
    "export.dhis2_push": _export_dhis2_push,
    "export.dhis2_retract": _export_dhis2_retract,
    "export.brief_pdf": lambda d, n: _brief(d, n, pdf=True),
    "report.brief_view": lambda d, n: _brief(d, n, pdf=False),
    "submission.review": _review,
    "submission.correct": _correct,
    "submission.withdraw": lambda d, n: _("Submission %(id)s withdrawn (consent withdrawn): in the trash.", id=d.get("response", "")),
    "submission.delete": lambda d, n: _("Submission %(id)s deleted: in the trash.", id=d.get("response", "")),
    "submission.restore": lambda d, n: _("Submission %(id)s restored from the trash.", id=d.get("response", "")),
    "trash.purge": _purge,
    "meeting.create": _meeting_create,
    "meeting.agenda_add": lambda d, n: _("Action %(action)s put on the agenda, place %(place)s.", action=d.get("action_id", ""), place=int(d.get("position", 0)) + 1),
    "meeting.agenda_move": lambda d, n: _("Action %(action)s moved to place %(place)s on the agenda.", action=d.get("action_id", ""), place=int(d.get("position", 0)) + 1),
    "meeting.agenda_remove": lambda d, n: _("Action %(action)s taken off the agenda.", action=d.get("action_id", "")),
    "export.action_register": lambda d, n: _("Action register downloaded (%(rows)s actions, %(regions)s).", rows=d.get("rows", ""), regions=n.regions(d.get("regions"))),
    "action.create": _action_create,
    "action.edit": _action_edit,
    "action.state": _action_state,
    "case.create": _case_create,
    "case.step": _case_step,
    "case.state": _case_state,
    "case.consent_withdrawn": _case_consent,
    "case.open_sealed": lambda d, n: _("Sealed answers of case %(id)s opened: %(fields)s.", id=d.get("case_id", ""),
                                       fields=", ".join(str(f) for f in d.get("fields") or []) or "—"),
    "request.denied": lambda d, n: _refused(d, n, _("Refused: not allowed for this role.")),
    "request.csrf_refused": lambda d, n: _refused(d, n, _("Refused: the form was stale or came from another site.")),
    "device_token.create": lambda d, n: _("Device token “%(label)s” made for ODK Collect.", label=d["label"]),
    "device_token.revoke": lambda d, n: _("Device token “%(label)s” revoked.", label=d["label"]),
    "api_token.create": lambda d, n: _("API token “%(name)s” made, valid for %(days)s days.", name=d.get("name", ""), days=d.get("days", "")),
    "api_token.revoke": lambda d, n: _("API token “%(name)s” revoked.", name=d.get("name", "")),
}
SENTENCES.update(warning_audit_sentences())


def action_names() -> dict[str, str]:
    """What each audited action is called in the reader's language; unknown ones keep their code."""
    return {
        "login": _("Sign-in"),
        "login.failed": _("Failed sign-in"),
        "logout": _("Sign-out"),
        "session.end": _("Device signed out"),
        "session.end_others": _("Other devices signed out"),
        "user.create": _("Account created"),
        "user.update": _("Account changed"),
        "user.password": _("Password set"),
        "questionnaire.publish": _("Questionnaire published"),
        "questionnaire.draft": _("Questionnaire draft uploaded"),
        "questionnaire.discard": _("Questionnaire draft discarded"),
        "questionnaire.retire": _("Questionnaire version retired"),
        "questionnaire.unretire": _("Questionnaire version back in use"),
        "regions.load": _("Regions loaded"),
        "facility.names": _("Facility renamed"),
        "responses.import": _("Paper forms imported"),
        "responses.import_failed": _("Paper forms refused"),
        "export.indicators": _("Indicator table downloaded"),
        "export.raw": _("Raw data downloaded"),
        "export.dhis2": _("DHIS2 payload made"),
        "export.dhis2_push": _("DHIS2 push"),
        "export.dhis2_retract": _("DHIS2 values retracted"),
        "export.brief_pdf": _("Brief downloaded"),
        "report.brief_view": _("Brief viewed"),
        "submission.review": _("Submission reviewed"),
        "submission.correct": _("Submission corrected"),
        "submission.withdraw": _("Submission withdrawn"),
        "submission.delete": _("Submission deleted"),
        "submission.restore": _("Submission restored"),
        "trash.purge": _("Trash purged"),
        "meeting.create": _("Meeting added"),
        "meeting.agenda_add": _("Agenda: action added"),
        "meeting.agenda_move": _("Agenda: action moved"),
        "meeting.agenda_remove": _("Agenda: action removed"),
        "export.action_register": _("Action register downloaded"),
        "action.create": _("Action opened"),
        "action.edit": _("Action edited"),
        "action.state": _("Action state changed"),
        "case.create": _("Case opened"),
        "case.step": _("Case step added"),
        "case.state": _("Case state changed"),
        "case.consent_withdrawn": _("Consent withdrawn"),
        "case.open_sealed": _("Sealed answers opened for a case"),
        "request.denied": _("Request refused"),
        "request.csrf_refused": _("Stale form refused"),
        "device_token.create": _("Device token made"),
        "device_token.revoke": _("Device token revoked"),
        "api_token.create": _("API token made"),
        "api_token.revoke": _("API token revoked"),
    } | warning_audit_names()


def describe(event: AuditEvent, names: Names) -> str:
    """The event's details as a sentence; unknown actions (or details) as 'key: value' pairs."""
    details = event.details or {}
    sentence = SENTENCES.get(event.action)
    if sentence is not None:
        try:
            return sentence(details, names).strip()
        except (KeyError, TypeError, ValueError):
            pass  # a detail stored by an older version; shown as it is below
    return "; ".join(f"{key}: {value}" for key, value in details.items())

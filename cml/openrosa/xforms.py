"""The XForms one monitor may fill: each questionnaire's collectable version with the monitor's places.

A form is made by pyxform from XLSFORM's sheets (cml.core.xlsform) and kept per process by what
it is made of (the version's content hash, the places and their names, the language of the labels
the server adds), so a form list asks pyxform again only when one of those changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask_babel import gettext as _

from cml.collect.api import _stand_ins as stand_ins  # the offline app's stand-ins: made on first use, under the write lock
from cml.core.openrosa import Place, PlaceRows, build_xform, form_hash, with_place_rows
from cml.models import QuestionnaireVersion, User
from cml.services import surveys
from cml.services.scope import facilities_for, visible_regions
from cml.web.i18n import current_language, in_every_language, languages

_FORMS: dict[str, str] = {}
_KEPT = 512


@dataclass(frozen=True)
class XForm:
    code: str
    number: int
    title: str
    xml: str

    @property
    def hash(self) -> str:
        return form_hash(self.xml)


def collectable(code: str, number: int | None = None) -> QuestionnaireVersion | None:
    """The version a new interview is recorded on (version `number` if given); None when there is none.

    Hook for retired versions (AUTHOR, branch issue19-author): once `surveys.collectable_version`
    exists, a retired version is neither listed nor accepted; until then every published one is."""
    rule = getattr(surveys, "collectable_version", None)
    if rule is not None:
        return rule(code, number)  # type: ignore[no-any-return]
    return surveys.version_of(code, number)


def places_for(user: User, at_facility: bool) -> list[Place]:
    """The facilities of the user's regions, or for a region or event questionnaire their regions' stand-ins."""
    if at_facility:
        return [Place(f.id, {lang: f.label(lang) for lang in languages()}) for f in facilities_for(user)]
    return [Place(stand_in_id, {lang: r.label(lang) for lang in languages()}) for r, stand_in_id in stand_ins(visible_regions(user))]


def _texts(at_facility: bool) -> PlaceRows:
    return PlaceRows(
        place_label=in_every_language(lambda _lang: _("Facility") if at_facility else _("Region")),
        date_label=in_every_language(lambda _lang: _("Interview date")),
        date_message=in_every_language(lambda _lang: _("The interview date cannot be in the future.")),
    )


def xform_of(version: QuestionnaireVersion, user: User) -> XForm | None:
    """This version as `user`'s XForm; None when the user has no place to record it at."""
    code = version.questionnaire.code
    definition = json.loads(version.content)
    at_facility = definition.get("subject", "facility") == "facility"
    places = places_for(user, at_facility)
    if not places:
        return None
    texts = _texts(at_facility)
    key = hashlib.sha256(json.dumps([version.content_hash, code, version.version, [(p.id, p.label) for p in places],
                                     texts.place_label, texts.date_label, texts.date_message], sort_keys=True).encode()).hexdigest()
    xml = _FORMS.get(key)
    if xml is None:
        # The one mapping of conditions; for_xform adds each type's own rules, so the phone stops where the server would.
        from cml.core.xlsform import xlsform_sheets

        xml = build_xform(with_place_rows(xlsform_sheets(definition, for_xform=True), code, version.version, places, texts))
        if len(_FORMS) >= _KEPT:
            _FORMS.clear()
        _FORMS[key] = xml
    return XForm(code, version.version, version.questionnaire.label(current_language()), xml)


def forms_for(user: User) -> list[XForm]:
    """Every form `user` may fill, by questionnaire code."""
    found = []
    for row in surveys.published_questionnaires():
        version = collectable(row.code)
        form = xform_of(version, user) if version is not None else None
        if form is not None:
            found.append(form)
    return found

"""OpenRosa (ODK Collect, KoboCollect, Enketo): CML questionnaires as XForms, and their submissions read back.

Pure: the XForm is made by pyxform from XLSFORM's sheets (cml.core.xlsform) plus the place and
the date rows every CML response needs; a submission's XML is read with defusedxml and mapped to
the raw answers `clean_answers` takes, as a web form's post is.
"""

from cml.core.openrosa.instance import Instance, SubmissionXmlError, read_instance
from cml.core.openrosa.values import raw_answers
from cml.core.openrosa.xform import DATE_FIELD, PLACE_FIELD, Place, PlaceRows, build_xform, form_hash, with_place_rows

__all__ = [
    "DATE_FIELD",
    "PLACE_FIELD",
    "Instance",
    "Place",
    "PlaceRows",
    "SubmissionXmlError",
    "build_xform",
    "form_hash",
    "raw_answers",
    "read_instance",
    "with_place_rows",
]

"""Device token pages: a monitor's own (/account/devices) and an administrator's for any account
(/admin/users/<id>/devices). A new token is shown once, on a page no cache keeps."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from cml.core.bounds import is_plain_text
from cml.extensions import db
from cml.models import User
from cml.services import device_tokens
from cml.web.access import capability_required


class DeviceTokenForm(FlaskForm):
    label = StringField(_l("Name of the phone"), validators=[DataRequired(), Length(max=device_tokens.LABEL_MAX)],
                        description=_l("So you can tell your phones apart, e.g. \u201cSamsung, field work\u201d."))


def _owner(user_id: int | None) -> User:
    if user_id is None:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return db.session.get(User, user_id) or abort(404)


def _page(owner: User, form: DeviceTokenForm, status: int = 200) -> tuple[str, int]:
    own = owner.id == current_user.id and request.endpoint == "devices.own_devices"
    return render_template("openrosa/devices.html", owner=owner, own=own, tokens=device_tokens.tokens_of(owner), form=form,
                           server_url=url_for("openrosa.form_list", _external=True).rsplit("/", 1)[0]), status


def _create(owner: User, form: DeviceTokenForm) -> Response | tuple[str, int]:
    label = (form.label.data or "").strip()
    if not is_plain_text(label):
        form.label.errors = [_("Use letters, digits and punctuation only.")]
        return _page(owner, form, 422)
    token = device_tokens.create(owner, label, current_user)
    db.session.commit()
    page = make_response(render_template("openrosa/token.html", owner=owner, token=token, label=label,
                                         server_url=url_for("openrosa.form_list", _external=True).rsplit("/", 1)[0],
                                         back=request.path))
    page.headers["Cache-Control"] = "no-store"
    return page


def _revoke(owner: User, token_id: int, back: str) -> Response:
    if not device_tokens.revoke(owner, token_id, current_user):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked: that phone can no longer send or get forms with it."), "success")
    return redirect(back)


@capability_required("collect")
def own_devices() -> Response | tuple[str, int]:
    """One's own device tokens: make one for a phone, see them, revoke one."""
    form = DeviceTokenForm()
    if form.validate_on_submit():
        return _create(_owner(None), form)
    return _page(_owner(None), form, 422 if request.method == "POST" else 200)


@capability_required("collect")
def own_device_revoke(token_id: int) -> Response:
    return _revoke(_owner(None), token_id, url_for("devices.own_devices"))


@capability_required("manage_accounts")
def user_devices(user_id: int) -> Response | tuple[str, int]:
    """An administrator's view of an account's device tokens."""
    owner, form = _owner(user_id), DeviceTokenForm()
    if form.validate_on_submit():
        return _create(owner, form)
    return _page(owner, form, 422 if request.method == "POST" else 200)


@capability_required("manage_accounts")
def user_device_revoke(user_id: int, token_id: int) -> Response:
    return _revoke(_owner(user_id), token_id, url_for("devices.user_devices", user_id=user_id))

"""Personal access token pages: one's own (/account/tokens) and an administrator's for any account
(/admin/users/<id>/tokens). A new token is shown once, on a page no cache keeps."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from cml.core.bounds import is_plain_text
from cml.extensions import db
from cml.models import User
from cml.services import api_tokens
from cml.web.access import capability_required


class ApiTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=api_tokens.NAME_MAX)],
                       description=_l("So you can tell your tokens apart, e.g. \u201cPower BI, national office\u201d."))
    days = IntegerField(_l("Valid for (days)"), default=api_tokens.DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(min=1, max=api_tokens.MAX_DAYS)],
                        description=_l("From 1 to %(days)s days. The token stops working after that.", days=api_tokens.MAX_DAYS))


def _owner(user_id: int | None) -> User:
    if user_id is None:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return db.session.get(User, user_id) or abort(404)


def _page(owner: User, form: ApiTokenForm, own: bool, status: int = 200) -> tuple[str, int]:
    return render_template("api/tokens.html", owner=owner, own=own, tokens=api_tokens.tokens_of(owner), form=form,
                           expired=api_tokens.is_expired, api_url=url_for("api.questionnaires", _external=True).rsplit("/", 1)[0]), status


def _create_or_show(owner: User, own: bool) -> Response | tuple[str, int]:
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(owner, form, own, 422 if request.method == "POST" else 200)
    name = (form.name.data or "").strip()
    if not is_plain_text(name):
        form.name.errors = [_("Use letters, digits and punctuation only.")]
        return _page(owner, form, own, 422)
    token = api_tokens.create(owner, name, int(form.days.data or api_tokens.DEFAULT_DAYS), current_user)
    db.session.commit()
    page = make_response(render_template("api/token.html", owner=owner, token=token, name=name, days=form.days.data, back=request.path,
                                         api_url=url_for("api.questionnaires", _external=True).rsplit("/", 1)[0]))
    page.headers["Cache-Control"] = "no-store"
    return page


def _revoke(owner: User, token_id: int, back: str) -> Response:
    if not api_tokens.revoke(owner, token_id, current_user):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked: programs using it can no longer reach the API."), "success")
    return redirect(back)


@login_required
def own_tokens() -> Response | tuple[str, int]:
    """One's own API tokens: make one, see them, revoke one."""
    return _create_or_show(_owner(None), own=True)


@login_required
def own_token_revoke(token_id: int) -> Response:
    return _revoke(_owner(None), token_id, url_for("api_tokens.own_tokens"))


@capability_required("manage_accounts")
def user_tokens(user_id: int) -> Response | tuple[str, int]:
    """An administrator's view of an account's API tokens."""
    return _create_or_show(_owner(user_id), own=False)


@capability_required("manage_accounts")
def user_token_revoke(user_id: int, token_id: int) -> Response:
    return _revoke(_owner(user_id), token_id, url_for("api_tokens.user_tokens", user_id=user_id))

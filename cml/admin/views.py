"""Administration pages; each handler commits once."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as HttpResponse
from wtforms import SelectChoice

from cml.admin.forms import NewUserForm, PasswordForm, UploadForm, UserForm, facility_names_form, role_choices
from cml.core.bounds import is_plain_text
from cml.extensions import db
from cml.models import Facility, Questionnaire, Region, Response, User
from cml.services import audit, users
from cml.services import regions as region_service
from cml.web.access import capability_required
from cml.web.i18n import current_language, language_name, languages

REGIONAL_ROLES = ("monitor", "lead")  # they see and record only in their regions


def _all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def _prepare(form: UserForm, language: str) -> list[Region]:
    regions = _all_regions()
    form.role.choices = role_choices()
    form.regions.choices = [SelectChoice(r.id, r.label(language)) for r in regions]
    return regions


@capability_required("manage_accounts")
def index() -> str:
    """Administration overview."""
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "regions": db.session.scalar(select(func.count(Region.id))),
        "facilities": db.session.scalar(select(func.count(Facility.id)).where(Facility.stands_for_region.is_(False))),
        "questionnaires": db.session.scalar(select(func.count(Questionnaire.id))),
        "responses": db.session.scalar(select(func.count(Response.id)).where(Response.deleted_at.is_(None))),  # the trash counts nowhere
    }
    return render_template("admin/index.html", counts=counts)


@capability_required("manage_accounts")
def user_list() -> HttpResponse | str:
    """List accounts and create one."""
    form = NewUserForm()
    regions = _prepare(form, current_language())
    needs_confirmation = False
    if form.validate_on_submit():
        chosen = [r for r in regions if r.id in (form.regions.data or [])]
        password = form.password.data or users.random_password()
        if not chosen and form.role.data in REGIONAL_ROLES and not form.without_regions.data:
            # A monitor or lead without a region can record nothing and see nothing: ask once.
            needs_confirmation = True
            form.regions.errors = [_("A monitor or lead without regions can neither record interviews nor see any. Tick their regions, or confirm below.")]
        else:
            try:
                user = users.create_user(form.username.data or "", password, form.role.data or "", chosen, actor=current_user, temporary=True)
            except users.AccountError as error:
                form.username.errors = [str(error)]
            else:
                db.session.commit()
                if not form.password.data:
                    return _password_page(user, password, _("Account %(name)s created.", name=user.username))
                flash(_("Account %(name)s created.", name=user.username), "success")
                return redirect(url_for("admin.user_list"))
    return render_template("admin/users.html", form=form, accounts=_accounts(), confirm_no_regions=needs_confirmation)


def _accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


@capability_required("manage_accounts")
def user_edit(user_id: int) -> HttpResponse | str:
    """Change an account's role, regions or status."""
    user = db.session.get(User, user_id) or abort(404)
    # On a POST the submitted values win over these; an unticked box counts as unticked. Not
    # obj=user: its `regions` (objects, not ids) would win over `data` and tick no box.
    form = UserForm(data={"role": user.role, "active": user.active, "regions": [r.id for r in user.regions]})
    regions = _prepare(form, current_language())
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            flash(_("You cannot remove your own administrator access."), "error")
        else:
            chosen = [r for r in regions if r.id in (form.regions.data or [])]
            users.update_user(user, form.role.data or "", chosen, bool(form.active.data), current_user)
            db.session.commit()
            flash(_("Account %(name)s updated.", name=user.username), "success")
            return redirect(url_for("admin.user_list"))
    return render_template("admin/user_edit.html", form=form, account=user, password_form=PasswordForm(formdata=None))


@capability_required("manage_accounts")
def user_password(user_id: int) -> HttpResponse | tuple[str, int]:
    """Give an account a temporary password, typed or generated: every session of the account
    ends, and its owner must choose a new one at the next sign-in."""
    user = db.session.get(User, user_id) or abort(404)
    password_form = PasswordForm()
    if not password_form.validate():
        form = UserForm(formdata=None, data={"role": user.role, "active": user.active, "regions": [r.id for r in user.regions]})
        _prepare(form, current_language())
        return render_template("admin/user_edit.html", form=form, account=user, password_form=password_form), 422
    typed = password_form.password.data
    password = typed or users.random_password()
    # An administrator resetting their own password knows it alone: it needs no change.
    users.set_password(user, password, current_user, keep_session=current_user.session_id, temporary=user.id != current_user.id)
    db.session.commit()
    if typed:
        flash(_("Account %(name)s has the password you typed; it must be changed at the next sign-in.", name=user.username), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return _password_page(user, password, _("Account %(name)s has a new password.", name=user.username))


def _password_page(user: User, password: str, message: str) -> HttpResponse:
    """A generated password goes out in this page only: never in a cookie (a flashed message
    is one), never kept by a cache or the browser's history."""
    page = make_response(render_template("admin/password.html", account=user, password=password, message=message))
    page.headers["Cache-Control"] = "no-store"
    return page


@capability_required("manage_accounts")
def region_list() -> HttpResponse | str:
    """Regions and facilities; load more from a JSON or CSV file."""
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            specs = region_service.parse_regions_file(upload.read(), upload.filename or "upload")
        except region_service.RegionFileError as error:
            problems = error.problems
        else:
            summary = region_service.load_regions(specs, current_user)
            db.session.commit()
            flash(_("Loaded: %(ra)d regions added, %(fa)d facilities added, %(fu)d facilities updated.",
                    ra=summary.regions_added, fa=summary.facilities_added, fu=summary.facilities_updated), "success")
            return redirect(url_for("admin.region_list"))
    return render_template("admin/regions.html", form=form, regions=_all_regions(), problems=problems)


@capability_required("manage_accounts")
def facility_edit(facility_id: int) -> HttpResponse | tuple[str, int] | str:
    """A facility's name in each interface language; the English one shows where another is missing."""
    facility = db.session.get(Facility, facility_id) or abort(404)
    reader = current_language()
    form_class = facility_names_form(languages(), lambda code: _("Name in %(language)s", language=language_name(code, reader)))
    current = {"name_en": facility.name, **{f"name_{k}": v for k, v in (facility.names or {}).items()}}
    form = form_class(data=current)
    if form.validate_on_submit():
        typed = {code: (form[f"name_{code}"].data or "").strip() for code in languages()}
        bad = [code for code, name in typed.items() if not is_plain_text(name)]
        for code in bad:
            form[f"name_{code}"].errors = [_("Use plain text.")]
        if not bad and typed.get("en"):
            before = {"en": facility.name, **(facility.names or {})}
            facility.name = typed["en"]
            facility.names = {code: name for code, name in typed.items() if code != "en" and name} or None
            after = {"en": facility.name, **(facility.names or {})}
            if before != after:
                audit.record("facility.names", current_user, target=facility.code, before=before, after=after)
            db.session.commit()
            flash(_("Names of %(code)s saved.", code=facility.code), "success")
            return redirect(url_for("admin.region_list") + f"#facility-{facility.id}")
        return render_template("admin/facility.html", form=form, facility=facility), 422
    return render_template("admin/facility.html", form=form, facility=facility), (422 if form.errors else 200)

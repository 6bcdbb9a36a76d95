"""The installable collecting app: a shell page with no user data, its service worker and manifest.

Everything personal (who is signed in, the questionnaires and places, the interviews) comes
from the JSON API and is kept on the phone encrypted under the monitor's PIN; these three
responses are the same for every user, so the service worker may keep them for offline use.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _

from cml.collect.offline_strings import app_strings
from cml.web.i18n import current_language, in_every_language

# The app's own files, cached by the service worker when it installs.
SCRIPTS = ("offline/question_types.js", "offline/questionnaire.js", "offline/vault.js", "offline/form.js", "offline/sync.js", "offline/app.js")
STATIC = ("cml.css", "favicon.svg", *SCRIPTS)


@cache
def _static_digest(root: str) -> str:
    """A digest of the app's files: a new one makes browsers install the new service worker."""
    digest = hashlib.sha256()
    for name in STATIC:
        digest.update(resources.files("cml").joinpath("static", name).read_bytes())
    digest.update(resources.files("cml").joinpath("collect/templates/collect/app.html").read_bytes())
    digest.update(root.encode())
    return digest.hexdigest()[:16]


def _strings() -> dict[str, dict[str, str]]:
    """The app's words in every language: the shell is one page for everyone, offline too."""
    return in_every_language(lambda _language: app_strings())


def _shared(response: Response) -> Response:
    """Same for every user: may be kept, but checked with the server whenever it is reachable
    (a 304 when unchanged, by a digest of the body)."""
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    response.make_conditional(request)  # in place: it returns the response itself, typed as Werkzeug's
    return response


def app_shell() -> Response:
    """The offline app's page: no user data in it, so the service worker can keep it."""
    html = render_template("collect/app.html", strings=json.dumps(_strings(), ensure_ascii=False, sort_keys=True),
                           scripts=SCRIPTS, language=current_language(), version=_static_digest(request.script_root))
    return _shared(Response(html, mimetype="text/html"))


def service_worker() -> Response:
    """The service worker: keeps the shell and its files; never the API's answers."""
    shell = url_for("collect.app_shell")
    files = [shell, url_for("collect.manifest"), *(url_for("static", filename=name) for name in STATIC)]
    source = render_template("collect/sw.js", version=_static_digest(request.script_root), files=json.dumps(files), shell=json.dumps(shell),
                             api=json.dumps(request.script_root + "/collect/api/"))
    response = _shared(Response(source, mimetype="text/javascript"))
    response.headers["Service-Worker-Allowed"] = shell
    return response


def manifest() -> Response:
    """What a phone needs to install the app: its name, start page and icon."""
    body = {
        "name": _("CML: collect offline"),
        "short_name": "CML",
        "start_url": url_for("collect.app_shell"),
        "scope": url_for("collect.app_shell"),
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#1d2433",
        "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return _shared(Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"))


"""plotly.js, served by us (never a CDN), compressed and cached.

The bundle is plotly.js's basic distribution (scatter, bar and pie traces: all our charts
draw), vendored with its licence in cml/vendor/plotly.js-basic-dist-min from the npm
package of that name; README "Charts' JavaScript" says how to update it.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources
from pathlib import Path

from flask import Response, request, url_for

BUNDLE = resources.files("cml").joinpath("vendor/plotly.js-basic-dist-min")
# From the vendored package.json: the version in the URL changes with the file.
PLOTLY_VERSION = json.loads(BUNDLE.joinpath("package.json").read_text(encoding="utf-8"))["version"]


def plotly_path() -> Path:
    """The bundle on disk, for pages Chromium opens from a file (the PDF brief)."""
    return Path(str(BUNDLE.joinpath("plotly-basic.min.js")))


@cache
def _plotly_bytes() -> tuple[bytes, bytes]:
    """The bundle and its gzip form, read and compressed once per process on first use."""
    raw = BUNDLE.joinpath("plotly-basic.min.js").read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


def plotly_js(version: str) -> Response:
    """The plotly.js bundle; the version in the URL lets browsers keep it for a year."""
    raw, compressed = _plotly_bytes()
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(compressed, mimetype="text/javascript", headers=headers)
    return Response(raw, mimetype="text/javascript", headers=headers)


def plotly_url() -> str:
    return url_for("vendor.plotly_js", version=PLOTLY_VERSION)

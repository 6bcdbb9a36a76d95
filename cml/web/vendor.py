"""Plotly's JavaScript, served from the installed plotly package (never a CDN), compressed and cached."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import metadata, resources

from flask import Blueprint, Response, request, url_for

bp = Blueprint("vendor", __name__)
# From the distribution's metadata, so naming the URL does not need the plotly package loaded.
PLOTLY_VERSION = metadata.version("plotly")


@cache
def _plotly_bytes() -> tuple[bytes, bytes]:
    """The bundle and its gzip form, read and compressed once per process on first use."""
    raw = resources.files("plotly").joinpath("package_data/plotly.min.js").read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


@bp.get("/vendor/plotly-<version>.min.js")
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

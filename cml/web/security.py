"""Response headers that keep pages, JSON and downloads from being framed, sniffed or cached with data in them."""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Pages, JSON and downloads can show data of criminalised people: never kept in a
        # browser or shared cache. Static files set their own caching before this runs.
        response.headers.setdefault("Cache-Control", "no-store")
        return response

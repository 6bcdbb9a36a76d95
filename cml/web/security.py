"""Response headers that keep pages, JSON and downloads from being framed, sniffed or cached with
data in them; the client's address as the trusted proxies in front saw it."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from cml.settings import settings

CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"


def init_app(app: Flask) -> None:
    proxies = settings(app).trusted_proxies
    if proxies > 0:
        # Behind nginx every request comes from the proxy's address: sign-in limits would
        # count everybody together. X-Forwarded-For is believed only as far as `proxies`
        # hops, so a client cannot choose its own address by sending the header itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

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

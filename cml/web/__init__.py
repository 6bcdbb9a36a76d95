"""What every page shares: the layout, locale, errors, security headers and the home page."""

from __future__ import annotations

from flask import Flask

from cml.settings import settings
from cml.web import access, assets, errors, hostile, i18n, labels, reads, security, urls


def register_web(app: Flask) -> None:
    i18n.init_app(app)
    app.jinja_env.globals["can"] = access.can  # templates ask capabilities, never role names
    labels.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    hostile.init_app(app)
    assets.init_app(app)
    reads.init_app(app)
    for blueprint in (urls.i18n_bp, urls.home_bp, urls.vendor_bp, urls.health_bp):
        app.register_blueprint(blueprint)
    if settings(app).bench_routes:
        app.register_blueprint(urls.bench_bp)

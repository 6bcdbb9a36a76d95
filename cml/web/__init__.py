"""What every page shares: the layout, locale, errors, security headers and the home page."""

from __future__ import annotations

from flask import Flask

from cml.settings import settings
from cml.web import access, assets, errors, health, home, hostile, i18n, labels, reads, security, vendor


def register_web(app: Flask) -> None:
    i18n.init_app(app)
    app.jinja_env.globals["can"] = access.can  # templates ask capabilities, never role names
    labels.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    hostile.init_app(app)
    assets.init_app(app)
    reads.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(health.bp)
    if settings(app).bench_routes:
        app.register_blueprint(health.bench_bp)

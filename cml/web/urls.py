"""The URLs of the site itself, apart from any feature: the home page, the language switch, the vendored chart
library, the health check for load balancers, and the benchmark's bare ping (registered only with BENCH_ROUTES)."""

from __future__ import annotations

from flask import Blueprint

from cml.web import health, home, i18n, vendor

home_bp = Blueprint("home", __name__)
home_bp.add_url_rule("/", "index", home.index, methods=["GET"])

i18n_bp = Blueprint("i18n", __name__)
i18n_bp.add_url_rule("/language", "set_language", i18n.set_language, methods=["POST"])

vendor_bp = Blueprint("vendor", __name__)
vendor_bp.add_url_rule("/vendor/plotly-basic-<version>.min.js", "plotly_js", vendor.plotly_js, methods=["GET"])

health_bp = Blueprint("health", __name__)
health_bp.add_url_rule("/healthz", "healthz", health.healthz, methods=["GET"])

bench_bp = Blueprint("bench", __name__)
bench_bp.add_url_rule("/bench/ping", "ping", health.ping, methods=["GET"])

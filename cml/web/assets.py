"""Static files compressed like pages: Flask sends them as pass-through file streams, which
Flask-Compress leaves alone, so the (small) files are read into the response instead."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.wrappers import Response


def init_app(app: Flask) -> None:
    serve = app.view_functions["static"]

    def static(**kwargs: Any) -> Response:
        response: Response = serve(**kwargs)
        if response.status_code == 200:
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response

    app.view_functions["static"] = static

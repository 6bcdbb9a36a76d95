"""Static files compressed like pages: Flask sends them as pass-through file streams, which
Flask-Compress leaves alone, so the (small) files are read into the response instead."""

from __future__ import annotations

from typing import Any, cast

from flask import Flask
from werkzeug.wrappers import Response


def init_app(app: Flask) -> None:
    serve = app.view_functions["static"]

    def static(**kwargs: Any) -> Response:
        response = cast(Response, serve(**kwargs))  # Flask's static view returns send_from_directory's response
        if response.status_code == 200:
            response.direct_passthrough = False
            data = response.get_data()
            response.close()  # the file the stream read: set_data would drop it unclosed (a ResourceWarning)
            response.set_data(data)
        return response

    app.view_functions["static"] = static

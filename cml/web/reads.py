"""Every GET and HEAD request is a read: it gets its read context (`cml.services.read_context`).

Its tables then see one data version and share their facility sums; a request that may
write (POST …) gets none, so it reads the version and the sums afresh each time. The
context lives on the request's `g` and is dropped when the request ends.
"""

from __future__ import annotations

from flask import Flask, g, has_app_context, request

from cml.services import read_context
from cml.services.read_context import ReadContext

READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
_KEY = "cml_read_context"


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.teardown_request(_end)
    read_context.provide_ambient(_of_request)


def _start() -> None:
    setattr(g, _KEY, ReadContext() if request.method in READ_ONLY_METHODS else None)


def _end(error: BaseException | None) -> None:
    g.pop(_KEY, None)  # an app context held across requests (a test's) must not carry one request's version into the next


def _of_request() -> ReadContext | None:
    if not has_app_context():
        return None
    context = g.get(_KEY)
    return context if isinstance(context, ReadContext) else None

"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from __future__ import annotations

from typing import Any

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

import cml.limit_storage  # noqa: F401  (registers the cml+sqlite:// rate-limit storage)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DecoratedLimiter(Limiter):
    """Limits only the routes decorated with `@limiter.limit` (sign-in): those check their own
    limits when called. There are no default or application-wide limits, so the check Flask-Limiter
    runs before every request would find nothing; it cost a fifth of a bare request's CPU."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> Any:
        manager = self.limit_manager
        if in_middleware and not (manager._default_limits or manager._application_limits or manager._blueprint_limits or self._meta_limits):
            return None
        return super()._check_request_limit(callable_name, in_middleware)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = DecoratedLimiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
compress = Compress()

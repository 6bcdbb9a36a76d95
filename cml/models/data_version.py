"""One number that changes with every write of indicator sums, for caches of what is computed from them."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from cml.extensions import db


class DataVersion(db.Model):  # type: ignore[name-defined,misc]
    """A single row (id 1): `version` is replaced in the same transaction as every write of
    `indicator_sums` (`cml.services.data_version.bump`), so a process that reads the same
    version as before may serve the tables it computed then (`cml.services.table_cache`)."""

    __tablename__ = "data_versions"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)

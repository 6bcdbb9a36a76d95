"""Questionnaires and their published versions; a response points at the exact version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cml.extensions import db


class Questionnaire(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    """Title of the latest published version, by language."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.version"
    )

    def label(self, language: str) -> str:
        return self.title.get(language) or next(iter(self.title.values()), self.code)


class QuestionnaireVersion(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    """The questionnaire JSON exactly as published."""
    content_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of `content`, so a version can be recognised and never silently changed."""
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When set, no new interview starts on this version; its responses keep counting."""
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")


class QuestionnaireDraft(db.Model):  # type: ignore[name-defined,misc]
    """An uploaded questionnaire that passed every check, waiting to be previewed, compared and
    published by the administrator who uploaded it; nothing collects on it."""

    __tablename__ = "questionnaire_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[str] = mapped_column(Text)
    """The questionnaire JSON (an XLSForm upload is stored converted)."""
    source_filename: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

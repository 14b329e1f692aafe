"""The law library: statutes and their articles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, utcnow


class Law(Base):
    __tablename__ = "laws"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)  # file name, e.g. air-pollution-law
    title: Mapped[str] = mapped_column(String(100), unique=True)  # 中华人民共和国大气污染防治法
    history: Mapped[str] = mapped_column(Text, default="")  # adoption and amendment lines
    # law | administrative_regulation | provincial_regulation | municipal_regulation | other
    # (eduapp.domain.law_library.LEVELS): from the folder's INDEX.tsv, else from the title
    level: Mapped[str] = mapped_column(String(32), default="other", server_default="other", index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: Mapped[list[LawArticle]] = relationship(
        back_populates="law", order_by="LawArticle.position", cascade="all, delete-orphan"
    )


class LawArticle(Base):
    __tablename__ = "law_articles"
    __table_args__ = (UniqueConstraint("law_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    label: Mapped[str] = mapped_column(String(32))  # 第九十九条
    number: Mapped[int]  # 99
    position: Mapped[int]  # order in the statute
    chapter: Mapped[str | None] = mapped_column(String(200))  # 第七章 法律责任
    section: Mapped[str | None] = mapped_column(String(200))  # 第一节 …
    text: Mapped[str] = mapped_column(Text)  # paragraphs separated by blank lines

    law: Mapped[Law] = relationship(back_populates="articles")

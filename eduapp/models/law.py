"""The law library: statutes and their articles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, utcnow


class Law(Base):
    __tablename__ = "laws"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)  # file name, e.g. air-pollution-law
    # 中华人民共和国大气污染防治法: one statute in force per title; its earlier versions share it
    title: Mapped[str] = mapped_column(String(100), index=True)
    history: Mapped[str] = mapped_column(Text, default="")  # adoption and amendment lines
    # law | administrative_regulation | provincial_regulation | municipal_regulation | other
    # (eduapp.domain.law_library.LEVELS): from the folder's INDEX.tsv, else from the title
    level: Mapped[str] = mapped_column(String(32), default="other", server_default="other", index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Versions (docs/laws.md “Amendments”): an earlier version points to the one that replaced it.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("laws.id"), index=True)
    repealed_on: Mapped[date | None]  # 废止: its questions leave new papers from this day

    articles: Mapped[list[LawArticle]] = relationship(
        back_populates="law", order_by="LawArticle.position", cascade="all, delete-orphan"
    )
    superseded_by: Mapped[Law | None] = relationship(remote_side=[id])


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


class LawAmendment(Base):
    """A new version of a statute imported over an earlier one: the article-by-article diff
    (eduapp.domain.law_amendments), what the editors review and the learners' 新法速递."""

    __tablename__ = "law_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    new_law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), unique=True)
    counts: Mapped[dict] = mapped_column(JSON)  # {"articles_unchanged": 4, …}
    pairs: Mapped[list] = mapped_column(JSON)  # [[kind, old label | None, new label | None, ratio], …] new order
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    old_law: Mapped[Law] = relationship(foreign_keys=[old_law_id])
    new_law: Mapped[Law] = relationship(foreign_keys=[new_law_id])

"""The law library (法律法规库) for the mobile app: statutes with their level and number of articles, a
statute's full text, the library's search and an article with the published questions citing it.

Anyone signed in may read it, as the pages under /laws/ (eduapp/web/laws). Statutes are addressed by
id, articles by their key: 99 for 第九十九条, 20-1 for 第二十条之一 (the label itself is taken as well).
The search is the pages' search (services.laws.search_articles): every word must match, in the
article's text, its label or its statute's title.
"""

from __future__ import annotations

from flask import abort
from flask_babel import gettext
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.common import ID, PageArgs, Text, page_out, page_schema
from eduapp.api.errors import responds
from eduapp.domain.law_library import LEVEL_LABELS, LEVELS, article_key
from eduapp.domain.laws import search_terms, snippet, version_of
from eduapp.security import signed_in
from eduapp.services import api_queries, laws

blp = Blueprint("api_laws", __name__, url_prefix="/api/v1/laws", description="The law library")

MAX_QUERY = 100  # as the search page
# An article's key or label in the address (labels are at most 32 characters: domain.laws.MAX_LABEL).
ARTICLE = "string(minlength=1, maxlength=32)"


# --- schemas -----------------------------------------------------------------------------------------


class LawOut(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True, metadata={"description": "the statute's file name; its page is /laws/<slug>"})
    title = fields.String(required=True)
    level = fields.String(required=True, metadata={
        "description": " | ".join(LEVELS) + ": 法律, 行政法规, 省级地方性法规, 设区的市地方性法规, other"})
    level_label = fields.String(required=True, metadata={"description": "the level, in the account's language"})
    version = fields.String(required=True, metadata={"description": "the version in force, e.g. 2018-10-26 修正 "
                                                                    "(empty when the history gives none)"})
    articles = fields.Integer(required=True, metadata={"description": "how many articles"})


class LawArticleOut(Schema):
    key = fields.String(required=True, metadata={"description": "its address: /laws/<id>/articles/<key>"})
    label = fields.String(required=True, metadata={"description": "第九十九条"})
    number = fields.Integer(required=True, metadata={"description": "99 (第二十条之一 is 20 too)"})
    chapter = fields.String(allow_none=True, required=True)
    section = fields.String(allow_none=True, required=True)
    text = fields.String(required=True, metadata={"description": "paragraphs separated by a blank line"})


class LawTextOut(LawOut):
    history = fields.String(required=True, metadata={"description": "adoption and amendments, one per line"})
    article_list = fields.List(fields.Nested(LawArticleOut), required=True,
                               metadata={"description": "every article, in order"})


class LawRefOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class LawCitingQuestionOut(Schema):
    id = fields.Integer(required=True, metadata={"description": "the question"})
    qtype = fields.String(required=True, metadata={"description": "single | multiple | true_false | fill_blank"})
    stem = fields.String(required=True, metadata={"description": "Markdown; as the article page, the stem "
                                                                 "alone (no options, no key)"})


class LawArticleDetailOut(LawArticleOut):
    law = fields.Nested(LawRefOut, required=True)
    previous = fields.String(allow_none=True, required=True, metadata={"description": "the key of the article "
                                                                                     "before; null: the first"})
    next = fields.String(allow_none=True, required=True, metadata={"description": "the key of the article after; "
                                                                                 "null: the last"})
    questions = fields.List(fields.Nested(LawCitingQuestionOut), required=True,
                            metadata={"description": "published questions citing this article, by their uid"})


def _level_arg() -> Text:
    return Text(load_default=None, validate=validate.OneOf(LEVELS), metadata={
        "description": "only statutes of this level: " + " | ".join(LEVELS)})


class LawListArgs(Schema):
    level = _level_arg()


class LawSearchArgs(PageArgs):
    q = Text(load_default="", validate=validate.Length(max=1000), metadata={
        "description": "words separated by spaces (at most 5 count, the first 100 characters); every word must "
                       "match"})
    level = _level_arg()


class LawSnippetOut(Schema):
    before = fields.String(required=True)
    match = fields.String(required=True, metadata={"description": "the first word found, to highlight"})
    after = fields.String(required=True)


class LawSearchHitOut(Schema):
    law = fields.Nested(LawRefOut, required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    chapter = fields.String(allow_none=True, required=True)
    snippet = fields.Nested(LawSnippetOut, required=True, metadata={"description": "the text around the match"})


class LawSearchOut(page_schema("LawSearchPage", LawSearchHitOut)):
    q = fields.String(required=True, metadata={"description": "the query as searched"})
    terms = fields.List(fields.String(), required=True, metadata={"description": "the words searched for"})
    laws = fields.List(fields.Nested(LawRefOut), required=True,
                       metadata={"description": "statutes whose title holds every word (on every page)"})


# --- views -------------------------------------------------------------------------------------------


def _law(law, articles: int) -> dict:
    level = law.level
    return {"id": law.id, "slug": law.slug, "title": law.title, "level": level,
            "level_label": gettext(LEVEL_LABELS.get(level, LEVEL_LABELS["other"])), "version": version_of(law.history),
            "articles": articles}


def _article(article) -> dict:
    return {"key": article_key(article.label), "label": article.label, "number": article.number,
            "chapter": article.chapter, "section": article.section, "text": article.text}


@blp.route("")
@signed_in
@blp.arguments(LawListArgs, location="query")
@blp.response(200, LawOut(many=True))
@responds(blp, 401, 403, 422)
def index(args):
    """Every statute (of ``level``, when given) with its number of articles: by level (法律, 行政法规,
    省级地方性法规, 设区的市地方性法规, other), each level by title."""
    return [_law(item.law, item.articles) for item in laws.list_laws(args["level"])]


@blp.route("/search")
@signed_in
@blp.arguments(LawSearchArgs, location="query")
@blp.response(200, LawSearchOut)
@responds(blp, 401, 403)
def search(args):
    """Articles matching every word of ``q`` (as the library's search page), by statute and position; with
    ``level``, only in statutes of that level."""
    q = args["q"].strip()[:MAX_QUERY]
    terms = search_terms(q)
    items, total = api_queries.law_search(terms, args["page"], args["per_page"], args["level"])
    hits = [{"law": {"id": a.law.id, "title": a.law.title}, "key": article_key(a.label), "label": a.label,
             "chapter": a.chapter, "snippet": vars(snippet(a.text, terms))} for a in items]
    return {**page_out(hits, total, args), "q": q, "terms": terms,
            "laws": [{"id": law.id, "title": law.title} for law in laws.matching_laws(terms, args["level"])]}


@blp.route(f"/<{ID}:law_id>")
@signed_in
@blp.response(200, LawTextOut)
@responds(blp, 401, 403, 404)
def show(law_id: int):
    """A statute's full text: its history and every article with its chapter and section."""
    law = laws.law_by_id(law_id)
    if law is None:
        abort(404)
    return {**_law(law, len(law.articles)), "history": law.history,
            "article_list": [_article(a) for a in law.articles]}


@blp.route(f"/<{ID}:law_id>/articles/<{ARTICLE}:key>")
@signed_in
@blp.response(200, LawArticleDetailOut)
@responds(blp, 401, 403, 404, 422)  # 422: a key holding a NUL byte (eduapp.input_guard)
def article(law_id: int, key: str):
    """An article (by its key, 99 or 20-1, or its label) with its neighbours and the published questions
    citing it."""
    found = laws.article_by_key(law_id, key)
    if found is None:
        abort(404)
    previous, following = laws.neighbours(found)
    return {
        **_article(found), "law": {"id": found.law.id, "title": found.law.title},
        "previous": article_key(previous.label) if previous else None,
        "next": article_key(following.label) if following else None,
        "questions": [{"id": v.question_id, "qtype": v.qtype, "stem": v.stem} for v in laws.questions_citing(found)],
    }

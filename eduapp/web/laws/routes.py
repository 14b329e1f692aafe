"""The law library: statutes, their articles, and search. Any signed-in user may read it."""

from flask import abort, render_template, request

from eduapp.domain.law_library import LEVEL_LABELS, LEVELS
from eduapp.domain.laws import group_by_chapter, search_terms, snippet, version_of
from eduapp.security import signed_in
from eduapp.services import laws
from eduapp.web.helpers import Page, page_arg
from eduapp.web.laws import bp

MAX_QUERY = 100


def level_arg() -> tuple[str | None, str | None]:
    """The ``level`` filter of the address: (the level, None), (None, None) without one, or (None, the
    value) for an unknown level, which filters nothing and is named on the page."""
    value = request.args.get("level", "").strip()
    if not value:
        return None, None
    if value in LEVELS:
        return value, None
    return None, value[:40]


@bp.route("/")
@signed_in
def index():
    level, unknown = level_arg()
    return render_template(
        "laws/index.html", listings=laws.list_laws(level), counts=laws.level_counts(), level=level,
        unknown_level=unknown, q="", levels=LEVELS, level_labels=LEVEL_LABELS,
    )


@bp.route("/search")
@signed_in
def search():
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    level, unknown = level_arg()
    terms = search_terms(q)
    page = Page(laws.search_articles(terms, level), page_arg(), per_page=20)
    results = [(article, snippet(article.text, terms)) for article in page.items]
    return render_template(
        "laws/search.html",
        q=q,
        level=level,
        unknown_level=unknown,
        levels=LEVELS,
        level_labels=LEVEL_LABELS,
        page=page,
        results=results,
        matching_laws=laws.matching_laws(terms, level),
        anchor=laws.article_anchor,
    )


@bp.route("/<slug>")
@signed_in
def show(slug: str):
    law = laws.law_by_slug(slug)
    if law is None:
        abort(404)
    return render_template(
        "laws/show.html",
        law=law,
        level_labels=LEVEL_LABELS,
        version=version_of(law.history),
        chapters=group_by_chapter(law.articles),
        anchor=laws.article_anchor,
    )


@bp.route("/<slug>/<label>")
@signed_in
def article(slug: str, label: str):
    found = laws.article_by_slug(slug, label)
    if found is None:
        abort(404)
    previous, following = laws.neighbours(found)
    return render_template(
        "laws/article.html",
        law=found.law,
        article=found,
        previous=previous,
        following=following,
        questions=laws.questions_citing(found),
        anchor=laws.article_anchor,
    )

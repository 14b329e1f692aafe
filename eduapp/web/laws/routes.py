"""The law library: statutes, their articles, and search. Any signed-in user may read it."""

from flask import abort, render_template, request

from eduapp.domain.laws import group_by_chapter, search_terms, snippet, version_of
from eduapp.security import signed_in
from eduapp.services import laws
from eduapp.web.helpers import Page, page_arg
from eduapp.web.laws import bp

MAX_QUERY = 100


@bp.route("/")
@signed_in
def index():
    return render_template("laws/index.html", listings=laws.list_laws(), q="")


@bp.route("/search")
@signed_in
def search():
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    terms = search_terms(q)
    page = Page(laws.search_articles(terms), page_arg(), per_page=20)
    results = [(article, snippet(article.text, terms)) for article in page.items]
    return render_template(
        "laws/search.html",
        q=q,
        page=page,
        results=results,
        matching_laws=laws.matching_laws(terms),
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

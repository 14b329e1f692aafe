"""Markdown for stems and explanations, sanitised (nh3) before it reaches a page."""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

_BLANK = re.compile(r"_{3,}")
_BLANK_MARK = "\u2063BLANK\u2063"
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "sub",
    "sup",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "span",
    "h3",
    "h4",
    "h5",
    "hr",
}


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    # Blanks (___) would read as Markdown emphasis: keep them out of the parser's way.
    html = markdown.markdown(_BLANK.sub(_BLANK_MARK, text), extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "span": {"class"}},
        link_rel="noopener noreferrer nofollow",
    )
    # nh3 has sanitised the HTML; only our own fixed span is put back in.
    blank = '<span class="blank" aria-label="blank">＿＿＿</span>'
    return Markup(clean.replace(_BLANK_MARK, blank))  # noqa: S704

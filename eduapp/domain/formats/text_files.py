"""Helpers of the plain-text formats (CSV, GIFT, Aiken): decoding, and plain text inside Markdown."""

from __future__ import annotations

import html
import re

from eduapp.domain.problems import N_, Problem

# "<b", "</b", "<!--", "<?": what Markdown would take for HTML; "&amp;", "&#60;": what it would take
# for a character reference. Anything else ("A < B", "A & B") already shows as typed.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Windows tools save); None if neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def not_text_problem() -> Problem:
    return Problem(N_("The file is neither UTF-8 nor GB18030 text."), {}, "file", None)


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that shows it as typed: tags and character references are escaped, so
    "<html> & images" is not swallowed by the sanitiser when the stem is rendered."""
    return _TAG_START.sub("&lt;", _REFERENCE.sub("&amp;", text))


def markdown_to_plain(text: str) -> str:
    """The inverse of plain_to_markdown (character references become characters again)."""
    return html.unescape(text)

"""Whether a text is a plain run of ASCII digits.

``str.isdigit`` is true for superscripts (``"²"``) and other digits that ``int`` refuses, so
checking with it and then converting answers 500 to such input. Every "is this a number" check on
text from outside goes through :func:`is_digits`.
"""

from __future__ import annotations


def is_digits(text: str | None) -> bool:
    """True for a non-empty run of 0-9 only."""
    return bool(text) and text.isascii() and text.isdigit()

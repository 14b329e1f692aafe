"""What Chinese users type where a code, a number or a list is expected, read the way they mean it.

A Chinese input method types full-width forms (``Ａ，Ｂ``, ``１３８``, ``（``) and the ideographic space,
and lists are separated by 、 or ， as often as by commas or spaces. Every place that reads a typed
code or list goes through this module, so ``Ａ，Ｂ`` is A,B everywhere:

- :func:`fold_width`: full-width letters, digits and punctuation (U+FF01–U+FF5E) and the ideographic
  space (U+3000) become their ASCII forms; nothing else changes, so Chinese text stays as it is.
  Only for codes, numbers and lists: a question's stem or a person's name is never folded.
- :func:`split_list`: a typed list split on , ， 、 ; ； and white space (or, with ``spaces=False``,
  on the punctuation only, for lists whose items may hold spaces), blanks and repeats dropped; the
  items as typed (tags, law names, categories are text). :func:`split_codes`: the same for a list
  of codes or usernames, each folded (``ｚｈａｎｇ３`` is zhang3).
- :func:`mobile_digits` / :func:`mobile_problem`: a mainland mobile number typed with +86, 0086,
  spaces, dashes, dots or brackets, read as its 11 digits (the only form stored and sent);
  :func:`phone_fragment`: part of one, as a search box gets it.
"""

from __future__ import annotations

import re

from eduapp.domain.problems import N_, Problem

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_LIST_SEPARATORS_NO_SPACE = re.compile(r"[,，、;；\n\r]+")  # the ideographic space is white space too (\s)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_DECORATION = re.compile(r"[\s\-.()]")


def fold_width(text: str | None) -> str:
    """``"Ａ，Ｂ１２"`` -> ``"A,B12"``: full-width ASCII forms and the ideographic space as ASCII."""
    return (text or "").translate(_FULL_WIDTH)


def split_list(text: str | None, *, spaces: bool = True) -> list[str]:
    """``"a、b，c d"`` -> ``["a", "b", "c", "d"]`` (in order, each once). With ``spaces=False`` only
    punctuation and new lines separate (``"大气 污染、水"`` -> ``["大气 污染", "水"]``). Items keep
    their characters: ``"行政处罚法（2021）"`` stays as typed."""
    separators = _LIST_SEPARATORS if spaces else _LIST_SEPARATORS_NO_SPACE
    parts = (part.strip() for part in separators.split(text or ""))
    return list(dict.fromkeys(part for part in parts if part))


def split_codes(text: str | None) -> list[str]:
    """A typed list of codes or usernames: ``"ＡＩＲ－０１、air-02"`` -> ``["AIR-01", "air-02"]``."""
    return split_list(fold_width(text))


def mobile_digits(phone: str | None) -> str:
    """The digits of a typed mobile number: ``"+86 138-0013-8000"``, ``"0086 13800138000"`` and
    ``"（138）0013 8000"`` all give ``"13800138000"``. Not checked: see :func:`mobile_problem`."""
    digits = _PHONE_DECORATION.sub("", fold_width(phone))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix):]
    return digits


def phone_fragment(text: str | None) -> str:
    """Part of a phone number as typed in a search box (``"+86 139-0000"`` -> ``"1390000"``): the
    decoration and a leading +86 / 0086 dropped, whatever the length."""
    digits = _PHONE_DECORATION.sub("", fold_width(text))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix):]
    return digits


def is_mobile(phone: str | None) -> bool:
    return bool(MOBILE_RE.match(mobile_digits(phone)))


def mobile_problem(phone: str | None, field: str = "phone") -> Problem | None:
    """None for an empty or valid number; otherwise a problem naming ``field``."""
    if phone and not is_mobile(phone):
        return Problem(N_("Enter an 11-digit mainland mobile number (+86, spaces and dashes are fine)."), {}, field)
    return None

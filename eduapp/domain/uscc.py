"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character alphabet (digits and upper-case letters without I, O, Z, S, V):
1 registration authority, 1 organisation type, 6 administrative division, 9 organisation code
(GB 11714, with its own check character), 1 check character over the first 17.

The check character is python-stdnum's (``stdnum.cn.uscc``). Its ``validate`` is not used: it requires
the first two characters to be digits, which refuses real codes whose registration authority is a
letter (N 农业, Y 其他: e.g. N2 农民专业合作社), and its errors carry no reason we could show.
"""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc

from eduapp.domain.digits import is_digits
from eduapp.domain.problems import N_
from eduapp.domain.typed_input import fold_width

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

# GB 11714 organisation code: 8 body characters (digits and letters) + 1 check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class USCCError(ValueError):
    """The code is not a valid USCC; msgid and params say why, for the caller to translate."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params


def check_character(first17: str) -> str:
    """The 18th character of a code whose first 17 are ``first17`` (GB 32100-2015, by python-stdnum)."""
    return stdnum_uscc.calc_check_digit(first17)


def _org_code_check(body8: str) -> str | None:
    total = 0
    for ch, w in zip(body8, _ORG_WEIGHTS, strict=True):
        if is_digits(ch):
            total += int(ch) * w
        elif "A" <= ch <= "Z":
            total += (ord(ch) - ord("A") + 10) * w
        else:
            return None
    rest = 11 - total % 11
    return {10: "X", 11: "0"}.get(rest, str(rest))


def normalise(code: str) -> str:
    """Trim, drop inner spaces, upper-case, and fold full-width characters to ASCII."""
    return "".join(fold_width(code).split()).upper()


def validate(code: str) -> str:
    """Return the normalised code, or raise USCCError naming what is wrong."""
    value = normalise(code)
    if len(value) != 18:
        raise USCCError(N_("A unified social credit code has 18 characters; this one has %(n)s."), n=len(value))
    bad = [ch for ch in value if ch not in _VALUE]
    if bad:
        raise USCCError(
            N_("Characters not allowed in a unified social credit code: %(chars)s (I, O, Z, S and V are never used)."),
            chars="".join(dict.fromkeys(bad)),
        )
    if not is_digits(value[2:8]):
        raise USCCError(N_("Characters 3 to 8 must be the digits of an administrative division code."))
    expected = check_character(value[:17])
    if value[17] != expected:
        raise USCCError(N_("The check character (the 18th) does not match: please check the code for a typing error."))
    org_check = _org_code_check(value[8:16])
    if org_check is not None and org_check != value[16]:
        raise USCCError(
            N_(
                "The organisation code inside it (characters 9 to 17) fails its check: "
                "please check the code for a typing error."
            )
        )
    return value


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except USCCError:
        return False
    return True


def make_code(prefix: str, division: str, org_body8: str) -> str:
    """Build a valid code from its parts (used by demo data and tests)."""
    org_check = _org_code_check(org_body8)
    first17 = f"{prefix}{division}{org_body8}{org_check}"
    return first17 + check_character(first17)

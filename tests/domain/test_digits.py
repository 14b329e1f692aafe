"""Numbers typed from outside are plain ASCII digits; anything int() would refuse is not a number."""

import pytest

from eduapp.domain.digits import is_digits


@pytest.mark.parametrize(("text", "expected"), [
    ("2024", True), ("0", True), ("", False), (None, False), ("²", False), ("2²", False),
    ("①", False), ("٢٠٢٤", False), ("１２", False), (" 12", False), ("-1", False), ("1.5", False),
])
def test_only_ascii_digits_count(text, expected):
    assert is_digits(text) is expected
    if expected:
        int(text)


"""GB/T 22239-2019 8.1.4.3 (audit records protected) and 8.1.4.7 (integrity): the keyed chain and its
anchors, as pure functions."""

import hmac
from datetime import UTC, datetime

import pytest

from eduapp.domain.audit_chain import (
    GENESIS,
    Anchor,
    ChainEntry,
    ChainKey,
    _sm3,
    hmac_sm3,
    record_hash,
    verify_chain,
)

KEY = ChainKey(b"k" * 32)


class _SM3:
    """SM3 as a hashlib-style object, so the standard library's own HMAC can check ours."""

    block_size, digest_size = 64, 32

    def __init__(self, data=b""):
        self.data = bytes(data)

    def update(self, data):
        self.data += data

    def digest(self):
        return _sm3(self.data)

    def hexdigest(self):
        return self.digest().hex()

    def copy(self):
        return _SM3(self.data)


@pytest.mark.parametrize("key", [b"", b"k" * 32, b"x" * 100])
def test_gbt15852_hmac_sm3_is_rfc2104_hmac_over_sm3(key):
    assert _sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905 A.1
    assert hmac_sm3(key, "审计记录".encode()) == hmac.new(key, "审计记录".encode(), _SM3).hexdigest()


def _chain(n, key=KEY):
    prev, entries = GENESIS, []
    for i in range(n):
        at = datetime(2026, 12, 6, 8, i, tzinfo=UTC)
        h = record_hash(key, prev, at, None, "system", "e", None, None, f'{{"i":{i}}}', None)
        entries.append(ChainEntry(i + 1, at, None, "system", "e", None, None, f'{{"i":{i}}}', None, prev, h))
        prev = h
    return entries


@pytest.mark.parametrize(
    ("kept", "anchors", "kind", "record_id"),
    [
        (5, [], None, None),  # intact, no anchor
        (5, [(3, 3), (5, 5)], None, None),  # intact, anchors agree
        (3, [(5, 5)], "missing", None),  # the newest two deleted after the anchor
        (3, [], None, None),  # deleted before any anchor: not detected (documented)
    ],
    ids=["intact", "anchors-agree", "truncated-after-anchor", "truncated-before-any-anchor"],
)
def test_8_1_4_3_truncation_is_detected_only_after_an_anchor(kept, anchors, kind, record_id):
    full = _chain(5)
    anchor_list = [Anchor(c, full[h - 1].id, full[h - 1].hash, "2026-12-06T09:00:00+00:00") for c, h in anchors]
    checked, broken = verify_chain(full[:kept], KEY, anchor_list)
    assert checked == kept
    assert (broken.kind if broken else None) == kind


def test_8_1_4_3_a_chain_under_another_key_fails_at_its_first_record():
    _, broken = verify_chain(_chain(3, ChainKey(b"other" * 8)), KEY)
    assert broken.record_id == 1 and broken.kind == "altered"

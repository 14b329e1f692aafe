"""The 30-minute study unit, stated once (domain.study.UNIT_MINUTES): the heartbeat's units and the
study_time rule's units agree."""

from __future__ import annotations

import pytest

from eduapp.domain import points, study


@pytest.mark.parametrize(("minutes", "units"), [
    (0, 0), (29, 0), (30, 1), (59, 1), (60, 2), (95, 3), (240, 8), (-5, 0),
])
def test_a_unit_of_study_is_30_minutes(minutes, units):
    assert points.study_units(minutes) == units
    assert len(study.units_completed(0, max(minutes, 0) * 60)) == units
    assert study.UNIT_MINUTES == 30

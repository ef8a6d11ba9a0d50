import pytest

from cases.enums import CaseStatus
from tests.world import make_case


@pytest.mark.parametrize("status", [s for s in CaseStatus if s != CaseStatus.DISPOSED])
def test_every_status_is_reachable_through_actions(world, status):
    case = make_case(world, status)
    assert case.status == status
    events = list(case.events.all())
    assert events[0].action == "register"
    assert events[-1].to_status == status

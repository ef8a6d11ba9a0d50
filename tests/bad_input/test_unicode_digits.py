"""Query parameters that Python calls digits but int() refuses ("²", "٣") must never give a 500."""

import pytest

from cases.enums import CaseStatus
from tests.world import make_case

SUPERSCRIPT_TWO = "\u00b2"


@pytest.mark.parametrize(
    "url",
    [
        f"/insights/?committee={SUPERSCRIPT_TWO}",
        f"/insights/?area=4212{SUPERSCRIPT_TWO}",
        f"/insights/cases/?area=4212&period=2026&measure=cases&committee={SUPERSCRIPT_TWO}",
        f"/insights/form/?area={SUPERSCRIPT_TWO}",
        f"/console/holidays/?year={SUPERSCRIPT_TWO}",
        f"/console/cases/?area={SUPERSCRIPT_TWO}",
        f"/supervision/reconciliation/?area=4212{SUPERSCRIPT_TWO}",
        f"/supervision/entry-notice/?area=4212{SUPERSCRIPT_TWO}",
    ],
)
def test_unicode_digits_in_query_parameters_are_refused_cleanly(world, client, url):
    client.force_login(world.city_admin)
    assert client.get(url).status_code in (200, 302, 400, 404)


def test_unicode_digit_as_caucus_recipient_is_refused_cleanly(world, client):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    client.force_login(world.mediator_a)
    response = client.post(f"/messages/case/{case.pk}/post/", {"body": "请双方明天上午来调委会", "to": SUPERSCRIPT_TWO})
    assert response.status_code in (200, 302, 400)

"""销毁 only where the retention period allows it (cases.retention, data/retention_periods.json): the button on the
case page and the action page (the one door, cases.permissions.available_actions) and the action itself."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases import actions as A
from cases.actions import ActionRefused
from cases.enums import CaseStatus as S
from cases.enums import RetentionClass
from cases.models import Case
from cases.permissions import available_actions
from cases.retention import disposable_from, retention_refusal, retention_years
from tests.world import make_case

DISPOSE_URL = "/cases/{}/do/dispose/"


def archived(world, *, years_ago: float, retention: str = RetentionClass.Y10) -> Case:
    case = make_case(world, S.ARCHIVED)
    Case.objects.filter(pk=case.pk).update(
        archived_at=timezone.now() - timedelta(days=int(years_ago * 365.25)), retention_class=retention
    )
    case.refresh_from_db()
    return case


def page(world, case) -> str:
    client = Client()
    client.force_login(world.county_admin)
    return client.get(f"/cases/{case.pk}/").content.decode()


def post_dispose(world, case):
    client = Client()
    client.force_login(world.county_admin)
    return client.post(DISPOSE_URL.format(case.pk), {"approval": "区司法局批准，文号咸司〔2026〕1号"})


def test_periods_are_configuration():
    assert retention_years() == {"Y30": 30, "Y10": 10}  # 永久 has no entry: never disposed of


@pytest.mark.parametrize(
    ("retention", "years_ago", "offered"),
    [
        (RetentionClass.Y10, 0.5, False),
        (RetentionClass.Y10, 9.9, False),
        (RetentionClass.Y10, 10.1, True),
        (RetentionClass.Y30, 10.1, False),
        (RetentionClass.Y30, 29.9, False),
        (RetentionClass.Y30, 30.1, True),
        (RetentionClass.PERMANENT, 80, False),
    ],
)
def test_dispose_offered_only_after_the_retention_period(world, retention, years_ago, offered):
    case = archived(world, years_ago=years_ago, retention=retention)
    assert (("dispose", "销毁") in available_actions(case, world.county_admin)) is offered
    html = page(world, case)
    assert (DISPOSE_URL.format(case.pk) in html) is offered
    # The director and the mediators never dispose, whatever the period.
    assert "dispose" not in dict(available_actions(case, world.director_a))


def test_post_before_the_period_is_over_is_refused_and_changes_nothing(world):
    case = archived(world, years_ago=3)
    events = case.events.count()
    response = post_dispose(world, case)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == S.ARCHIVED and case.disposed_at is None and case.events.count() == events
    # The action refuses as well (the same computation), naming the first day.
    first = disposable_from(case)
    with pytest.raises(ActionRefused, match=f"最早可于{first.year}年{first.month}月{first.day}日销毁"):
        A.do_dispose_case(case, world.county_admin, approval="经县司法局审批")
    # The action page itself does not open.
    client = Client()
    client.force_login(world.county_admin)
    assert client.get(DISPOSE_URL.format(case.pk)).status_code == 302


def test_post_after_the_period_disposes(world):
    case = archived(world, years_ago=10.5)
    response = post_dispose(world, case)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.DISPOSED and case.disposed_at is not None
    assert case.events.order_by("-id").first().action == "dispose"


def test_first_day_and_refusals(world):
    case = archived(world, years_ago=1)
    archived_on = timezone.localdate(case.archived_at)
    first = disposable_from(case)
    assert first.year == archived_on.year + 10
    assert retention_refusal(case, first - timedelta(days=1)).startswith("保管期限未满")
    assert retention_refusal(case, first) is None
    Case.objects.filter(pk=case.pk).update(retention_class=RetentionClass.PERMANENT)
    case.refresh_from_db()
    assert retention_refusal(case, date(2200, 1, 1)) == "永久保管的卷宗不能销毁"


def test_a_dossier_without_a_retention_class_is_not_disposed(world):
    case = archived(world, years_ago=40, retention="")
    assert retention_refusal(case) == "卷宗未登记保管期限，不能销毁"
    # Not disposable; what the county may still do to an archived case is correct its type (issue 13: 重新分类).
    assert dict(available_actions(case, world.county_admin)) == {"reclassify": "重新分类"}

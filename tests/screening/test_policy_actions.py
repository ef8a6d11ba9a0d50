"""The policy actions with frozen time: versions, special periods, campaigns; permissions and refusals."""

from datetime import date, time

import pytest

from cases.models import Notification
from notifications.enums import NoticeKind
from registry.models import Division, DivisionLevel
from screening.actions import (
    do_add_special_period,
    do_cancel_special_period,
    do_close_campaign,
    do_set_policy,
    do_start_campaign,
)
from screening.actions.base import ActionRefused
from screening.enums import Cadence
from screening.models import ScreeningPolicy, ScreeningReport
from tests.screening.factories import at, make_policy

D = date
pytestmark = pytest.mark.django_db


def set_policy(actor, division, **kw):
    args = dict(
        unit_level=DivisionLevel.VILLAGE,
        cadence=Cadence.WEEKLY,
        due_offset_workdays=1,
        due_time=time(18, 0),
        zero_report_required=True,
        include_industry=False,
        effective_from=D(2026, 6, 1),
        at=at(2026, 5, 20),
    )
    args.update(kw)
    return do_set_policy(actor, division, **args)


def test_versions_close_the_previous_one_and_scan(sworld):
    w = sworld.w
    xianan = Division.objects.get(code="421202")
    v1 = set_policy(w.county_admin, xianan, effective_from=D(2026, 5, 20), document_no="咸司发〔2026〕3号")
    assert ScreeningReport.objects.filter(committee=w.village_a, period_start=D(2026, 5, 20)).exists()
    v2 = set_policy(w.county_admin, xianan, cadence=Cadence.TEN_DAYS, effective_from=D(2026, 6, 1), at=at(2026, 5, 25))
    v1.refresh_from_db()
    assert v1.effective_to == D(2026, 5, 31) and v2.effective_to is None
    assert v1.document_no == "咸司发〔2026〕3号"
    # The week around the change ends the day before the new version.
    assert ScreeningReport.objects.filter(committee=w.village_a, period_start=D(2026, 5, 25)).get().period_end == D(
        2026, 5, 31
    )
    with pytest.raises(ActionRefused) as e:
        set_policy(w.county_admin, xianan, effective_from=D(2026, 5, 24), at=at(2026, 5, 25))
    assert e.value.field == "effective_from" and "不能早于今天" in e.value.message
    with pytest.raises(ActionRefused) as e:
        set_policy(w.county_admin, xianan, effective_from=D(2026, 6, 1), at=at(2026, 5, 25))
    assert e.value.field == "effective_from"


@pytest.mark.parametrize(
    "who,code,ok",
    [
        ("county_admin", "421202", True),
        ("city_admin", "4212", True),
        ("city_admin", "421221", True),
        ("other_county_admin", "421202", False),
        ("county_admin", "4212", False),
        ("sfs_officer", "421202001", False),
        ("director_a", "421202", False),
    ],
)
def test_set_policy_permissions(sworld, who, code, ok):
    actor = sworld.personas()[who]
    division = Division.objects.get(code=code)
    if ok:
        assert set_policy(actor, division).division_id == code
    else:
        with pytest.raises(ActionRefused):
            set_policy(actor, division)
        assert not ScreeningPolicy.objects.exists()


def test_special_period_must_be_more_frequent(sworld):
    w = sworld.w
    xianan = Division.objects.get(code="421202")
    make_policy(Division.objects.get(code="4212"), DivisionLevel.VILLAGE, Cadence.WEEKLY, by=w.city_admin)
    kw = dict(
        name="国庆节", start=D(2026, 9, 30), end=D(2026, 10, 7), unit_levels=[DivisionLevel.VILLAGE], at=at(2026, 9, 1)
    )
    with pytest.raises(ActionRefused) as e:
        do_add_special_period(w.county_admin, xianan, cadence=Cadence.WEEKLY, **kw)
    assert e.value.field == "cadence" and "更密" in e.value.message
    with pytest.raises(ActionRefused) as e:
        do_add_special_period(w.county_admin, xianan, cadence=Cadence.DAILY, **{**kw, "end": D(2026, 9, 29)})
    assert e.value.field == "end"
    with pytest.raises(ActionRefused):
        do_add_special_period(w.other_county_admin, xianan, cadence=Cadence.DAILY, **kw)
    sp = do_add_special_period(w.county_admin, xianan, cadence=Cadence.DAILY, **kw)
    assert sp.unit_levels == [DivisionLevel.VILLAGE]
    # Cancel before it begins: cancelled; one begun ends today.
    do_cancel_special_period(w.county_admin, sp, at=at(2026, 9, 2))
    sp.refresh_from_db()
    assert sp.cancelled_at is not None
    sp2 = do_add_special_period(w.county_admin, xianan, cadence=Cadence.DAILY, **kw)
    do_cancel_special_period(w.county_admin, sp2, at=at(2026, 10, 2))
    sp2.refresh_from_db()
    assert sp2.cancelled_at is None and sp2.end == D(2026, 10, 2)


def test_campaign_areas_notice_and_close(sworld):
    w = sworld.w
    xianan = Division.objects.get(code="421202")
    kw = dict(
        theme="欠薪矛盾专项排查",
        description="重点排查工程建设领域欠薪",
        start=D(2026, 6, 1),
        end=D(2026, 6, 30),
        cadence=Cadence.WEEKLY,
        at=at(2026, 6, 1, 8),
    )
    with pytest.raises(ActionRefused) as e:
        do_start_campaign(w.county_admin, xianan, area_codes=["421221100"], **kw)
    assert e.value.field == "area_codes" and "不在咸安区范围内" in e.value.message
    with pytest.raises(ActionRefused):
        do_start_campaign(w.sfs_officer, Division.objects.get(code="421202001"), area_codes=[], **kw)
    campaign = do_start_campaign(w.county_admin, xianan, area_codes=["421202001001"], **kw)
    notices = Notification.objects.filter(kind=NoticeKind.SCREENING_DUE)
    assert {n.user_id for n in notices} == {w.director_a.pk, w.mediator_a.pk, w.mediator_a2.pk}
    assert notices.first().link == "/screening/"
    assert list(ScreeningReport.objects.filter(campaign=campaign).values_list("committee_id", "period_start")) == [
        (w.village_a.pk, D(2026, 6, 1))
    ]
    with pytest.raises(ActionRefused):
        do_close_campaign(w.other_county_admin, campaign, at=at(2026, 6, 10))
    do_close_campaign(w.county_admin, campaign, at=at(2026, 6, 10))
    campaign.refresh_from_db()
    assert campaign.closed_at == at(2026, 6, 10)
    with pytest.raises(ActionRefused):
        do_close_campaign(w.county_admin, campaign, at=at(2026, 6, 11))


def test_unit_level_not_above_the_division(sworld):
    w = sworld.w
    xianan = Division.objects.get(code="421202")
    assert set_policy(w.county_admin, xianan, unit_level=DivisionLevel.COUNTY, cadence=Cadence.MONTHLY).unit_level == 3
    with pytest.raises(ActionRefused) as e:
        set_policy(w.county_admin, Division.objects.get(code="421202"), unit_level=2)
    assert e.value.field == "unit_level"
    with pytest.raises(ActionRefused) as e:
        set_policy(w.county_admin, xianan, cadence="HOURLY", effective_from=D(2026, 7, 1))
    assert e.value.field == "cadence"

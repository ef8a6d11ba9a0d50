"""The court liaison's queue (issue 9 §6): judicial-confirmation requests filed with the liaison's own court, with
the court's time limits, filters (court case number, 委派/委托, confirmation status), sorting and pages; another
court's requests never appear (nor open); every other persona is refused the page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from cases import actions as A
from cases.enums import CaseSource, CourtReferralType, JCStatus
from cases.enums import CaseStatus as S
from cases.models import JudicialConfirmation
from console import court_queue as CQ
from registry.models import Court, Division
from tests.world import PERSONAS, make_case
from workdays.calendar import next_working_day

URL = "/console/court/queue/"


def jc_case(world, court=None, *, referral: str = "", court_case_no: str = "", days_ago: int = 0, accept: str = ""):
    """A performing case (agreement effective ten days ago) whose parties applied to `court` `days_ago` days ago."""
    extra = {}
    if referral:
        extra = {"source": CaseSource.REFERRED_COURT, "court": court or world.court, "court_mode": referral}
        extra["court_case_no"] = court_case_no
    case = make_case(world, S.PERFORMING, at=timezone.now() - timedelta(days=12), **extra)
    p1, p2 = case.parties.all()
    today = timezone.localdate()
    jc = A.do_apply_judicial_confirmation(
        case, world.mediator_a, applicant=p1, consenting=p2, court=court or world.court, applied_on=today
    )
    JudicialConfirmation.objects.filter(pk=jc.pk).update(applied_on=today - timedelta(days=days_ago))
    if accept:
        liaison = world.court_liaison if (court or world.court) == world.court else None
        A.do_record_court_acceptance(case, liaison, accepted=True, on=today, court_case_no=accept)
    jc.refresh_from_db()
    return case, jc


@pytest.fixture
def other_court(world):
    jiayu = Division.objects.get(code="421221")
    court = Court.objects.create(name="嘉鱼县人民法院", division=jiayu)
    liaison = User.objects.create_user(
        username="court_liaison_2", password="x", role=Role.COURT_LIAISON, full_name="嘉鱼法院联络员", court=court
    )
    return court, liaison


def get(user, params=None):
    client = Client()
    client.force_login(user)
    return client.get(URL, params or {})


def shown(response) -> list[int]:
    return [row.jc.pk for row in response.context["rows"]]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "court_liaison"])
def test_non_court_personas_cannot_open(world, persona):
    response = get(world.personas()[persona])
    assert response.status_code == 403


def test_anonymous_goes_to_login(world):
    response = Client().get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_own_court_sees_its_waiting_requests_other_court_sees_nothing(world, other_court):
    court2, liaison2 = other_court
    _, mine = jc_case(world)
    case2, theirs = jc_case(world, court2)
    response = get(world.court_liaison)
    assert response.status_code == 200
    assert shown(response) == [mine.pk]
    html = response.content.decode()
    assert f"/cases/{mine.case_id}/" in html and f"/cases/{case2.pk}/" not in html
    # The other court's liaison sees only their own request, and our case does not exist for them (404).
    response2 = get(liaison2)
    assert shown(response2) == [theirs.pk]
    client = Client()
    client.force_login(liaison2)
    assert client.get(f"/cases/{mine.case_id}/").status_code == 404
    assert client.get(f"/cases/{case2.pk}/").status_code == 200
    # Even with the status filter set to everything, nothing of the other court leaks.
    assert shown(get(liaison2, {"status": "all"})) == [theirs.pk]


def test_filter_by_court_case_number_does_not_leak_other_courts(world, other_court):
    court2, liaison2 = other_court
    A_ref = "（2026）鄂1202民特7号"
    B_ref = "（2026）鄂1221民特9号"
    _, mine = jc_case(world, accept=A_ref)
    case2, _ = jc_case(world, court2)
    A.do_record_court_acceptance(case2, liaison2, accepted=True, on=timezone.localdate(), court_case_no=B_ref)
    assert shown(get(world.court_liaison, {"q": "民特9"})) == []
    assert shown(get(world.court_liaison, {"q": "民特7"})) == [mine.pk]
    assert shown(get(liaison2, {"q": "民特7"})) == []


def test_deadlines_acceptance_and_decision(world):
    today = timezone.localdate()
    _, applied = jc_case(world, days_ago=1)
    _, accepted = jc_case(world, accept="（2026）鄂1202民特1号")
    d1 = CQ.court_deadline(applied, today)
    assert d1.what == "决定是否受理" and d1.due == next_working_day(applied.applied_on + timedelta(days=3))
    d2 = CQ.court_deadline(accepted, today)
    assert d2.what == "作出确认裁定" and d2.due == next_working_day(today + timedelta(days=15))
    assert "经院长批准可延长10日" in d2.note
    _, late = jc_case(world, days_ago=10)
    d3 = CQ.court_deadline(late, today)
    assert d3.overdue and d3.days_over == (today - d3.due).days
    html = get(world.court_liaison).content.decode()
    assert f'决定是否受理：</span><span class="text-nowrap">{d1.due.month}月{d1.due.day}日前' in html
    assert f'作出确认裁定：</span><span class="text-nowrap">{d2.due.month}月{d2.due.day}日前' in html
    assert f"已超过{d3.days_over}天" in html


def test_decided_requests_leave_the_waiting_queue(world):
    case, jc = jc_case(world, accept="（2026）鄂1202民特2号")
    A.do_record_court_decision(case, world.court_liaison, valid=True, on=timezone.localdate())
    assert shown(get(world.court_liaison)) == []
    response = get(world.court_liaison, {"status": JCStatus.CONFIRMED_VALID})
    assert shown(response) == [jc.pk]
    assert CQ.court_deadline(JudicialConfirmation.objects.get(pk=jc.pk)) is None
    assert shown(get(world.court_liaison, {"status": "all"})) == [jc.pk]


def test_status_filter(world):
    _, applied = jc_case(world)
    _, accepted = jc_case(world, accept="（2026）鄂1202民特3号")
    assert set(shown(get(world.court_liaison))) == {applied.pk, accepted.pk}
    assert shown(get(world.court_liaison, {"status": "APPLIED"})) == [applied.pk]
    assert shown(get(world.court_liaison, {"status": "ACCEPTED"})) == [accepted.pk]
    counts = get(world.court_liaison).context["counts"]
    assert counts == {"to_accept": 1, "to_decide": 1}


def test_referral_filter_and_column(world):
    _, weipai = jc_case(world, referral=CourtReferralType.WEIPAI, court_case_no="（2026）鄂1202民诉前调11号")
    _, weituo = jc_case(world, referral=CourtReferralType.WEITUO, court_case_no="（2026）鄂1202民初12号")
    _, own = jc_case(world)
    assert shown(get(world.court_liaison, {"referral": "WEIPAI"})) == [weipai.pk]
    assert shown(get(world.court_liaison, {"referral": "WEITUO"})) == [weituo.pk]
    assert shown(get(world.court_liaison, {"referral": "none"})) == [own.pk]
    html = get(world.court_liaison).content.decode()
    assert "委派（诉前）" in html and "委托（诉中）" in html and "（2026）鄂1202民诉前调11号" in html
    # The referral number filter finds the case by the court's own referral number too.
    assert shown(get(world.court_liaison, {"q": "民初12"})) == [weituo.pk]


def test_sorting(world):
    _, old = jc_case(world, days_ago=2)
    _, new = jc_case(world, days_ago=0)
    _, accepted = jc_case(world, accept="（2026）鄂1202民特5号")  # limit: 15 days from today, the latest
    assert shown(get(world.court_liaison)) == [old.pk, new.pk, accepted.pk]  # default: nearest limit first
    assert shown(get(world.court_liaison, {"sort": "-deadline"})) == [accepted.pk, new.pk, old.pk]
    assert shown(get(world.court_liaison, {"sort": "applied"}))[0] == old.pk
    assert shown(get(world.court_liaison, {"sort": "-applied"}))[-1] == old.pk
    assert shown(get(world.court_liaison, {"sort": "court_no"}))[0] == accepted.pk  # numbered ones first
    assert shown(get(world.court_liaison, {"sort": "-court_no"}))[0] == accepted.pk
    # A sort link keeps the filters and toggles its direction.
    sorts = get(world.court_liaison, {"status": "waiting", "sort": "applied"}).context["sorts"]
    assert sorts["applied"]["dir"] == "asc" and "sort=-applied" in sorts["applied"]["query"]
    assert "status=waiting" in sorts["applied"]["query"]
    # Garbage in the query string is ignored, not an error.
    assert get(world.court_liaison, {"sort": "drop table", "status": "x", "page": "9999999"}).status_code == 200


def test_pagination(world, monkeypatch):
    monkeypatch.setattr(CQ, "PER_PAGE", 2)
    made = [jc_case(world, days_ago=i)[1].pk for i in range(3)]
    first = get(world.court_liaison)
    second = get(world.court_liaison, {"page": "2"})
    assert len(shown(first)) == 2 and len(shown(second)) == 1
    assert set(shown(first) + shown(second)) == set(made)
    assert "第 1 / 2 页，共 3 件" in first.content.decode()


def test_withdrawn_agreement_requests_are_not_listed(world):
    """A confirmation of an agreement since changed or revoked is not the court's business any more."""
    from cases.enums import AgreementStatus

    _, jc = jc_case(world)
    jc.agreement.__class__.objects.filter(pk=jc.agreement_id).update(status=AgreementStatus.CHANGED)
    assert shown(get(world.court_liaison, {"status": "all"})) == []

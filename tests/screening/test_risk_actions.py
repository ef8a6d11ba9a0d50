"""Role × jurisdiction for every risk action (h-risk): who may assess a case or a finding, raise, lower, update,
review, resolve, instruct, acknowledge and record a meeting; everyone else is refused and nothing is written."""

from datetime import date, timedelta

import pytest

from screening.actions import (
    do_acknowledge,
    do_assess_risk,
    do_change_level,
    do_instruct,
    do_record_meeting,
    do_resolve_risk,
    do_review_risk,
    do_update_risk,
)
from screening.actions.base import ActionRefused
from screening.enums import HopStatus, RiskEventKind, RiskLevel, RiskStatus
from screening.models import RiskAssessment, RiskEvent, RiskMeeting
from tests.screening.factories import at, make_finding, make_hop, make_risk

pytestmark = pytest.mark.django_db

T = at(2026, 3, 3, 11, 0)
MEMBERS_A = {"director_a", "mediator_a", "mediator_a2"}
SUPERVISORS_A = {"sfs_officer", "county_admin", "city_admin"}
AREA_A = SUPERVISORS_A | {"gov_officer"}
ABOVE_MEDIATOR_A = {"director_a"} | AREA_A


def _try(fn) -> bool:
    before = RiskEvent.objects.count()
    try:
        fn()
    except ActionRefused:
        assert RiskEvent.objects.count() == before  # nothing written by a refusal
        return False
    return True


def _allowed(sworld, fn) -> set[str]:
    return {name for name, user in sworld.personas().items() if _try(lambda u=user: fn(u))}


def _risk(sworld, level=RiskLevel.RED, **kw):
    w = sworld.w
    return make_risk(w.village_a, by=w.mediator_a, level=level, **kw)


def test_assess_a_finding(sworld):
    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a)

    def act(user):
        do_assess_risk(
            user, finding=finding, title="可能激化", flags=[], level=RiskLevel.YELLOW, reasons="情绪激动。", at=T
        )

    assert _allowed(sworld, act) == MEMBERS_A | SUPERVISORS_A
    assert RiskAssessment.objects.filter(finding=finding).count() == 6


def test_assess_a_case(sworld):
    from cases.enums import CaseStatus
    from tests.world import make_case

    case = make_case(sworld.w, CaseStatus.IN_MEDIATION)

    def act(user):
        do_assess_risk(user, case=case, title="可能激化", flags=[], level=RiskLevel.YELLOW, reasons="情绪激动。", at=T)

    assert _allowed(sworld, act) == MEMBERS_A | SUPERVISORS_A


def test_raise(sworld):
    def act(user):
        do_change_level(user, _risk(sworld, level=RiskLevel.YELLOW), level=RiskLevel.ORANGE, reason="矛盾升级", at=T)

    assert _allowed(sworld, act) == MEMBERS_A | AREA_A


def test_lower_without_owner_is_the_director_or_above(sworld):
    def act(user):
        do_change_level(user, _risk(sworld), level=RiskLevel.ORANGE, reason="情况缓和", at=T)

    assert _allowed(sworld, act) == ABOVE_MEDIATOR_A


def test_lower_with_a_mediator_owner(sworld):
    def act(user):
        risk = _risk(sworld, owner=sworld.w.mediator_a2)
        do_change_level(user, risk, level=RiskLevel.ORANGE, reason="情况缓和", at=T)

    assert _allowed(sworld, act) == {"mediator_a2"} | ABOVE_MEDIATOR_A


def test_lower_with_a_sfs_owner(sworld):
    def act(user):
        risk = _risk(sworld, owner=sworld.w.sfs_officer)
        do_change_level(user, risk, level=RiskLevel.ORANGE, reason="情况缓和", at=T)

    # Only the owner and those ranked above the 司法所 (the bureaux covering it).
    assert _allowed(sworld, act) == {"sfs_officer", "county_admin", "city_admin"}


def test_update(sworld):
    def act(user):
        do_update_risk(user, _risk(sworld), reason="加强稳控", measures="每日走访", at=T)

    assert _allowed(sworld, act) == ABOVE_MEDIATOR_A


def test_review(sworld):
    def act(user):
        do_review_risk(user, _risk(sworld), note="情况稳定，继续关注", next_review_on=date(2026, 3, 10), at=T)

    assert _allowed(sworld, act) == ABOVE_MEDIATOR_A


def test_resolve(sworld):
    def act(user):
        do_resolve_risk(user, _risk(sworld), note="双方达成和解", at=T)

    assert _allowed(sworld, act) == ABOVE_MEDIATOR_A
    assert RiskAssessment.objects.filter(status=RiskStatus.RESOLVED).count() == len(ABOVE_MEDIATOR_A)


def test_instruct(sworld):
    def act(user):
        do_instruct(user, _risk(sworld), text="请包案领导立即到场稳控", at=T)

    assert _allowed(sworld, act) == ABOVE_MEDIATOR_A


def test_acknowledge_a_committee_hop(sworld):
    w = sworld.w

    def act(user):
        risk = _risk(sworld)
        hop = make_hop(risk, step="COMMITTEE", recipients=[w.director_a], division_code=w.village_a.division_id)
        do_acknowledge(user, hop, at=T)

    assert _allowed(sworld, act) == {"director_a"} | SUPERVISORS_A


def test_acknowledge_a_police_hop_only_the_police(sworld):
    def act(user):
        risk = _risk(sworld)
        hop = make_hop(
            risk,
            step="POLICE",
            recipients=[sworld.police_liaison],
            institution=sworld.police,
            division_code="421202001",
        )
        do_acknowledge(user, hop, at=T)

    assert _allowed(sworld, act) == {"police_liaison"}


def test_acknowledge_twice_is_refused(sworld):
    w = sworld.w
    risk = _risk(sworld)
    hop = make_hop(risk, step="TOWNSHIP", recipients=[w.sfs_officer])
    do_acknowledge(w.sfs_officer, hop, at=T)
    with pytest.raises(ActionRefused):
        do_acknowledge(w.sfs_officer, hop, at=T + timedelta(minutes=1))
    hop.refresh_from_db()
    assert hop.status == HopStatus.ACKNOWLEDGED


def test_record_a_meeting(sworld):
    from registry.models import Division

    wenquan = Division.objects.get(code="421202001")
    risk = _risk(sworld)

    def act(user):
        do_record_meeting(
            user,
            wenquan,
            held_on=date(2026, 3, 3),
            title="温泉街道矛盾纠纷周研判会",
            chair="温泉司法所所长",
            attendees="司法所、综治中心、派出所",
            minutes="研判了桂花村宅基地纠纷，明确包案责任。",
            risks=[risk],
            at=T,
        )

    assert _allowed(sworld, act) == {"sfs_officer", "gov_officer", "county_admin", "city_admin"}
    assert RiskMeeting.objects.count() == 4
    assert risk.events.filter(kind=RiskEventKind.DISCUSSED).count() == 4


def test_a_meeting_cannot_attach_a_risk_outside_its_area(sworld):
    from registry.models import Division

    w = sworld.w
    outside = make_risk(w.village_c, by=w.mediator_c)
    with pytest.raises(ActionRefused) as e:
        do_record_meeting(
            w.sfs_officer,
            Division.objects.get(code="421202001"),
            held_on=date(2026, 3, 3),
            title="周研判会",
            chair="所长",
            attendees="司法所",
            minutes="研判了纠纷情况。",
            risks=[outside],
            at=T,
        )
    assert e.value.field == "risks"


def test_bad_input_is_refused_at_its_field(sworld):
    w = sworld.w
    finding = make_finding(w.village_a, by=w.mediator_a)
    cases = [
        (dict(title="", level=RiskLevel.RED, reasons="理由充分。"), "title"),
        (dict(title="x", level="PURPLE", reasons="理由充分。"), "level"),
        (dict(title="x", level=RiskLevel.RED, reasons="短"), "reasons"),
        (dict(title="x", level=RiskLevel.RED, reasons="理由充分。", flags=["NOPE"]), "flags"),
        (dict(title="x", level=RiskLevel.RED, reasons="理由充分。", review_on=date(2026, 3, 2)), "review_on"),
        (dict(title="x", level=RiskLevel.RED, reasons="理由充分。", owner=w.mediator_b), "owner"),
    ]
    for kw, field in cases:
        kw.setdefault("flags", [])
        with pytest.raises(ActionRefused) as e:
            do_assess_risk(w.mediator_a, finding=finding, at=T, **kw)
        assert e.value.field == field, kw
    assert not RiskAssessment.objects.exists()

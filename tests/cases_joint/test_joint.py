"""Issue 11 §6, joint mediation (联合调解): a mediator of another body joins a case (one presiding stays), sees it and
works on it; invited participants (judge, lawyer, officer, expert) are recorded on the sessions they attended; the
case page, the joint page and the session record show each one's body."""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from cases import actions as A
from cases.actions.joint import do_add_joint_mediator, do_invite_participant, do_record_attendance
from cases.enums import CaseStatus, RecordKind
from cases.permissions import available_actions, relations
from cases.scoping import cases_visible_to
from cases.transitions import Rel
from referrals.models import JointParticipant
from tests.world import make_case

S = CaseStatus


def later(case) -> datetime:
    return case.events.order_by("-at").first().at + timedelta(hours=1)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- who is offered what (role × action × state) -------------------------------------------------------------------

# persona → (offered joint_mediator, offered invite_participant) on village A's case in mediation, presided over by
# mediator_a. mediator_b (village B) and mediator_c (another county) stand in no relation until they join.
OFFERED = {
    "director_a": (True, True),
    "mediator_a": (True, True),  # the presiding mediator
    "mediator_a2": (False, False),  # an unassigned member
    "mediator_b": (False, False),
    "mediator_c": (False, False),
    "sfs_officer": (False, False),
    "county_admin": (False, False),
    "city_admin": (False, False),
    "court_liaison": (False, False),
    "party_user": (False, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize("persona", list(OFFERED))
def test_role_matrix_in_mediation(world, persona):
    case = make_case(world, S.IN_MEDIATION)
    user = world.personas()[persona]
    offered = dict(available_actions(case, user))
    want_joint, want_invite = OFFERED[persona]
    assert ("joint_mediator" in offered) is want_joint
    assert ("invite_participant" in offered) is want_invite
    at = later(case)
    if want_joint:
        do_add_joint_mediator(case, world.mediator_b.mediator, user, at=at)
        assert world.mediator_b.mediator in case.co_mediators.all()
    else:
        with pytest.raises(A.ActionRefused):
            do_add_joint_mediator(case, world.mediator_b.mediator, user, at=at)
        assert not case.co_mediators.exists()
    if want_invite:
        p = do_invite_participant(case, user, role="LAWYER", name="钱律师", body="湖北某某律师事务所", at=at)
        assert p.case_id == case.pk and p.invited_by == user
    else:
        with pytest.raises(A.ActionRefused):
            do_invite_participant(case, user, role="LAWYER", name="钱律师", body="湖北某某律师事务所", at=at)
        assert not JointParticipant.objects.exists()


@pytest.mark.parametrize(
    ("status", "joint", "invite"),
    [
        (S.INTAKE, False, False),
        (S.ACCEPTED, False, True),  # invited before the first session; joint mediators only once one presides
        (S.PAUSED, True, True),
        (S.REMEDIATION, True, True),
        (S.AGREEMENT_REACHED, False, False),
        (S.CLOSED, False, False),
        (S.MERGED, False, False),
    ],
)
def test_offered_by_state_to_the_director(world, status, joint, invite):
    case = make_case(world, status)
    offered = dict(available_actions(case, world.director_a))
    assert ("joint_mediator" in offered) is joint
    assert ("invite_participant" in offered) is invite


def test_guards(world):
    case = make_case(world, S.IN_MEDIATION)
    at = later(case)
    with pytest.raises(A.ActionRefused, match="指派调解员"):  # one of the committee's own
        do_add_joint_mediator(case, world.mediator_a2.mediator, world.director_a, at=at)
    do_add_joint_mediator(case, world.mediator_b.mediator, world.director_a, at=at)
    with pytest.raises(A.ActionRefused, match="已是本案调解员"):
        do_add_joint_mediator(case, world.mediator_b.mediator, world.director_a, at=at)
    with pytest.raises(A.ActionRefused, match="所在单位"):
        do_invite_participant(case, world.director_a, role="JUDGE", name="张法官", body=" ", at=at)
    with pytest.raises(A.ActionRefused, match="身份"):
        do_invite_participant(case, world.director_a, role="KING", name="张法官", body="法院", at=at)


# --- a co-mediator of another body --------------------------------------------------------------------------------


def test_co_mediator_of_another_body_sees_and_works_on_the_case_presiding_stays_one(world):
    case = make_case(world, S.IN_MEDIATION)
    b = world.mediator_b
    assert case not in cases_visible_to(b)
    assert client_for(b).get(f"/cases/{case.pk}/").status_code == 404
    with pytest.raises(A.ActionRefused):
        A.do_record_mediation(
            case, b, kind=RecordKind.SESSION, held_at=later(case), place="调解室", subject="双方", content="x" * 12
        )

    do_add_joint_mediator(case, b.mediator, world.mediator_a, at=later(case))
    case.refresh_from_db()
    assert case.presiding_mediator == world.mediator_a.mediator  # still the one presiding
    assert list(case.co_mediators.all()) == [b.mediator]
    assert case.events.last().action == "joint_mediator"
    assert "柏墩村人民调解委员会" in case.events.last().note
    assert case in cases_visible_to(b)
    assert relations(b, case) == {Rel.MEDIATOR}  # a mediator of the case, not a member of its committee
    assert client_for(b).get(f"/cases/{case.pk}/").status_code == 200
    held = later(case)
    rec = A.do_record_mediation(
        case,
        b,
        kind=RecordKind.SESSION,
        held_at=held,
        place="温泉街道矛调中心",
        subject="双方当事人",
        content="两个调委会的调解员共同主持调解，双方陈述意见。",
        at=held,
    )
    assert rec.recorded_by == b
    # Not what the committee's director or presiding mediator decides: no further joint mediators, no closing.
    offered = dict(available_actions(case, b))
    assert "joint_mediator" not in offered and "record_session" in offered
    assert case not in cases_visible_to(world.mediator_c)  # nobody else of another body


def test_a_recused_joint_mediator_loses_the_case(world):
    case = make_case(world, S.IN_MEDIATION)
    do_add_joint_mediator(case, world.mediator_b.mediator, world.director_a, at=later(case))
    party = case.parties.first()
    A.do_recuse_mediator(
        case,
        world.director_a,
        party=party,
        replaced=world.mediator_b.mediator,
        replacement=world.mediator_a2.mediator,
        reason="与对方当事人系亲属",
        at=later(case),
    )
    assert case not in cases_visible_to(world.mediator_b)
    assert relations(world.mediator_b, case) == set()


# --- participants on sessions -------------------------------------------------------------------------------------


def _session(world, case, actor=None):
    held = later(case)
    return A.do_record_mediation(
        case,
        actor or world.mediator_a,
        kind=RecordKind.SESSION,
        held_at=held,
        place="调解室",
        subject="双方当事人",
        content="法官、律师参加调解，释法说理，双方同意协商。",
        at=held,
    )


def test_participants_are_recorded_on_the_sessions_they_attended(world):
    case = make_case(world, S.IN_MEDIATION)
    judge = do_invite_participant(case, world.director_a, role="JUDGE", name="张法官", body="咸宁市咸安区人民法院")
    expert = do_invite_participant(case, world.mediator_a, role="EXPERT", name="孙工", body="咸安区住建局")
    first, second = _session(world, case), _session(world, case)
    do_record_attendance(first, [judge, expert], world.mediator_a)
    do_record_attendance(second, [judge], world.mediator_a)
    assert set(judge.sessions.all()) == {first, second}
    assert list(expert.sessions.all()) == [first]
    ev = case.events.order_by("-id").first()
    assert ev.action == "invite_participant" and ev.data["attended"] == [judge.pk]
    assert "张法官（咸宁市咸安区人民法院）" in ev.note
    with pytest.raises(A.ActionRefused, match="已登记"):
        do_record_attendance(second, [judge], world.mediator_a)
    # A participant of another case is refused; so is a member who is not the case's mediator.
    other = make_case(world, S.IN_MEDIATION, party_user=None, seed=1)
    stranger = do_invite_participant(other, world.director_a, role="LAWYER", name="钱律师", body="某律师事务所")
    with pytest.raises(A.ActionRefused, match="不是本案邀请的参加人员"):
        do_record_attendance(first, [stranger], world.mediator_a)
    with pytest.raises(A.ActionRefused):
        do_record_attendance(first, [judge], world.mediator_a2)


def test_case_page_joint_page_and_session_record_show_each_body(world):
    case = make_case(world, S.IN_MEDIATION)
    do_add_joint_mediator(case, world.mediator_b.mediator, world.director_a, at=later(case))
    judge = do_invite_participant(case, world.director_a, role="JUDGE", name="张法官", body="咸宁市咸安区人民法院")
    rec = _session(world, case)
    do_record_attendance(rec, [judge], world.mediator_a)

    page = client_for(world.director_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="joint-panel"' in page
    assert "柏墩村人民调解委员会" in page and "桂花村人民调解委员会" in page
    assert "受邀参加人员：法官张法官（咸宁市咸安区人民法院）" in page

    joint = client_for(world.mediator_b).get(f"/console/referrals/joint/{case.pk}/")
    assert joint.status_code == 200
    body = joint.content.decode()
    assert "陈调解" in body and "柏墩村人民调解委员会" in body and "主持" in body
    assert "法官张法官（咸宁市咸安区人民法院）" in body

    # The 人民调解记录 itself (PDF): the participant with their body, the other body's mediator with theirs.
    import io

    from pypdf import PdfReader

    from documents.rendering import render_kind

    pdf = render_kind(case, "session", world.director_a).pdf
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "").replace(" ", "")
    assert "法官张法官（咸宁市咸安区人民法院）" in text
    assert "陈调解（柏墩村人民调解委员会）" in text


def test_joint_pages_scope_and_forms(world):
    case = make_case(world, S.IN_MEDIATION)
    url = f"/console/referrals/joint/{case.pk}/"
    for persona, code in [("outsider", 404), ("mediator_c", 404), ("other_county_admin", 404), ("court_liaison", 404)]:
        assert client_for(world.personas()[persona]).get(url).status_code == code, persona
    assert client_for(world.sfs_officer).get(url).status_code == 200  # supervisors read
    assert client_for(world.sfs_officer).post(url, {"mediator": world.mediator_b.mediator.pk}).status_code == 404
    # The case page's actions land on these pages.
    director = client_for(world.director_a)
    assert director.get(f"/cases/{case.pk}/do/joint_mediator/").status_code == 200
    assert director.get(f"/cases/{case.pk}/do/invite_participant/").status_code == 200
    # The candidates are the county's other bodies' mediators (mediator_b), not another county's (mediator_c).
    page = director.get(url).content.decode()
    assert "陈调解（柏墩村人民调解委员会）" in page and "周调解" not in page
    done = director.post(url, {"mediator": world.mediator_b.mediator.pk})
    assert done.status_code == 302
    assert world.mediator_b.mediator in case.co_mediators.all()
    invite = director.post(
        f"/console/referrals/joint/{case.pk}/invite/",
        {"role": "OFFICER", "name": "吴科长", "body": "咸安区住房和城乡建设局", "phone": "0715-1234567"},
    )
    assert invite.status_code == 302
    p = JointParticipant.objects.get(case=case)
    assert (p.name, p.body, p.phone) == ("吴科长", "咸安区住房和城乡建设局", "0715-1234567")
    bad = director.post(f"/console/referrals/joint/{case.pk}/invite/", {"role": "", "name": "", "body": ""})
    assert bad.status_code == 200 and "请选择身份" in bad.content.decode()
    rec = _session(world, case)
    att = director.post(f"/console/referrals/joint/{case.pk}/records/{rec.pk}/attendance/", {"participants": [p.pk]})
    assert att.status_code == 302 and list(p.sessions.all()) == [rec]

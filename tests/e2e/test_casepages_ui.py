"""Issue 9 §6–§7 in a real browser at 1366 and 390 px: the court liaison's queue, the case page's panels (next step,
the parties online, the application), the accept and assign forms, the workbench's labelled dates. Nothing scrolls
sideways at the phone width; screenshots land in test-output/screens/h-casepages/<viewport>/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role, User
from cases import actions as A
from cases.actions.online import do_accept_invitation
from cases.enums import CaseSource, CourtReferralType, PartySide
from cases.enums import CaseStatus as S
from portal.models import ApplicationDraft, Invitation
from tests.browser import SCREENSHOTS
from tests.world import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def online_case(world):
    case = make_case(world, S.INTAKE, at=timezone.now() - timedelta(hours=3))
    ApplicationDraft.objects.create(
        user=world.party_user,
        data={
            "what": {
                "brief_facts": "被申请人翻修房屋时堆放的建材堵塞了共用排水沟，致申请人院内积水。",
                "claims": "请求被申请人清除建材、疏通排水沟并赔偿损失800元",
                "amount": "800",
            }
        },
        submitted_at=case.registered_at,
        case=case,
    )
    respondent = case.parties.get(side=PartySide.RESPONDENT)
    invitation = Invitation.objects.create(
        party=respondent, token_hash="t" * 64, code_hash="c" * 64, phone=respondent.phone, created_by=world.party_user
    )
    other = User.objects.create_user(username="respondent", password="x", role=Role.PARTY, phone=respondent.phone)
    do_accept_invitation(other, invitation)
    respondent.refresh_from_db()
    A.do_record_party_consent(case, other, party=respondent)
    return case


def jc_requests(world):
    today = timezone.localdate()
    for i, (mode, no) in enumerate(
        [
            (CourtReferralType.WEIPAI, "（2026）鄂1202民诉前调118号"),
            ("", ""),
            (CourtReferralType.WEITUO, "（2026）鄂1202民初907号"),
        ]
    ):
        extra = {"source": CaseSource.REFERRED_COURT, "court": world.court, "court_mode": mode, "court_case_no": no}
        case = make_case(world, S.PERFORMING, at=timezone.now() - timedelta(days=12), seed=i, **(extra if mode else {}))
        p1, p2 = case.parties.all()
        A.do_apply_judicial_confirmation(
            case, world.mediator_a, applicant=p1, consenting=p2, court=world.court, applied_on=today
        )
        if i == 2:
            A.do_record_court_acceptance(
                case, world.court_liaison, accepted=True, on=today, court_case_no="（2026）鄂1202民特41号"
            )


def test_casepages_at_both_widths(e2e_world, session):
    s, page = session, session.page
    s.dir = SCREENSHOTS.parent / "screens" / "h-casepages" / s.viewport
    s.dir.mkdir(parents=True, exist_ok=True)
    w = e2e_world
    case = online_case(w)
    make_case(w, S.IN_MEDIATION)
    make_case(w, S.PERFORMING, seed=3)
    jc_requests(w)
    accepted = make_case(w, S.ACCEPTED, seed=4)

    s.login("court_liaison")
    s.goto("/console/court/queue/")
    assert page.locator("#court-queue tbody tr").count() == 3
    assert "决定是否受理" in page.inner_text("#court-queue") and "作出确认裁定" in page.inner_text("#court-queue")
    s.shot("court-queue")
    s.goto("/console/court/queue/?referral=WEIPAI&sort=-applied")
    assert page.locator("#court-queue tbody tr").count() == 1
    s.shot("court-queue-filtered")
    s.logout()

    s.login("director_a")
    s.goto("/workbench/")
    assert "期限" in page.inner_text("main") and "登记" in page.inner_text("main")
    s.shot("workbench")
    s.goto(f"/cases/{case.pk}/")
    assert "已同意调解" in page.inner_text("#parties-online")
    assert "请求被申请人清除建材" in page.inner_text("#application-summary")
    assert "受理审查" in page.inner_text("#next-steps")
    s.shot("case-page-panels")
    s.goto(f"/cases/{case.pk}/do/accept/")
    assert "当事人线上参与" in page.inner_text("main")
    s.shot("accept-form")
    s.goto(f"/cases/{accepted.pk}/do/assign/")
    assert "（在办" in page.inner_text("#id_presiding")
    s.shot("assign-form")
    assert s.overflows == []

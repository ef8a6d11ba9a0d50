"""Cases for the document tests, built through the real actions (cases.actions / demo.scenarios.Walker)."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from cases import actions as A
from cases.enums import CaseStatus, FollowUpOutcome, RecordKind, RetentionClass, Satisfaction, SignatureMethod
from cases.models import Case
from demo.scenarios import Walker
from tests.world import TZ, World, make_case

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


@dataclass
class Rich:
    """A case walked to a status with two investigations, two sessions, a two-term written agreement (one term in
    instalments, one party signing electronically), payments, two follow-ups and, when asked, close and archive."""

    case: Case
    at: datetime


def rich_case(world: World, *, until: str = "archived", e_sign: bool = True) -> Rich:
    case = make_case(world, CaseStatus.ACCEPTED, at=T0)
    m, d = world.mediator_a, world.director_a
    A.do_assign_mediators(
        case,
        d,
        presiding=m.mediator,
        co_mediators=[world.mediator_a2.mediator],
        rights_notified=True,
        identities_checked=True,
        at=T0 + timedelta(hours=2),
    )
    applicant, respondent = list(case.parties.all())
    held = T0 + timedelta(days=1)
    A.do_record_mediation(
        case,
        m,
        kind=RecordKind.INVESTIGATION,
        held_at=held,
        place="桂花村委会调解室",
        subject=applicant.name,
        content="问：排水沟何时开始堵塞？\n答：今年春节后，下雨后水漫进我家堂屋。",
        at=held,
    )
    held2 = held + timedelta(hours=3)
    A.do_record_mediation(
        case,
        m,
        kind=RecordKind.INVESTIGATION,
        held_at=held2,
        place="李四家中",
        subject=respondent.name,
        content="问：排水沟是否由你家填埋？\n答：修院墙时堆了砖块，没想到会堵住水沟。",
        at=held2,
    )
    for i, result in enumerate(["双方分歧较大，约定再次调解", "双方同意协商解决，达成协议"], start=1):
        at = T0 + timedelta(days=2 * i + 1)
        A.do_record_mediation(
            case,
            m,
            kind=RecordKind.SESSION,
            held_at=at,
            place="桂花村调解室",
            subject=f"村民小组长王五（第{i}次）",
            content=f"第{i}次调解：告知当事人权利义务，双方陈述事实，调解员释法说理，提出调解方案。",
            result=result,
            at=at,
        )
    at = T0 + timedelta(days=6)
    A.do_draft_agreement(
        case,
        m,
        facts="李四修建院墙时堆放砖块堵塞排水沟，致张三房屋受雨水浸泡，双方就疏通和赔偿发生争议。",
        responsibilities="李四承担主要责任，张三承担次要责任",
        terms=[
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="李四赔偿张三房屋浸泡损失",
                amount=Decimal("3000"),
                manner="银行转账",
                place="桂花村调委会",
                deadline=date(2026, 5, 8),
                instalments=[(date(2026, 4, 8), Decimal("1200")), (date(2026, 5, 8), Decimal("1800"))],
            ),
            A.TermData(
                obligor=respondent,
                obligee=applicant,
                content="李四清除砖块并疏通宅前排水沟",
                manner="自行清理",
                place="桂花村3组",
                deadline=date(2026, 3, 15),
            ),
        ],
        at=at,
    )
    if until == "draft":
        A.do_sign_agreement(case, m, party=applicant, method=SignatureMethod.FINGERPRINT, at=at + timedelta(minutes=5))
        case.refresh_from_db()
        return Rich(case, at)
    A.do_sign_agreement(
        case,
        m,
        party=applicant,
        method=SignatureMethod.E_SIGNATURE if e_sign else SignatureMethod.FINGERPRINT,
        at=at + timedelta(minutes=5),
    )
    A.do_sign_agreement(case, m, party=respondent, method=SignatureMethod.FINGERPRINT, at=at + timedelta(minutes=6))
    A.do_sign_agreement(case, m, party=None, method=SignatureMethod.HANDWRITTEN, at=at + timedelta(minutes=7))
    A.do_seal_agreement(case, d, at=at + timedelta(minutes=30))
    case.refresh_from_db()
    assert case.status == CaseStatus.PERFORMING, case.status
    if until == "effective":
        return Rich(case, at)
    first, second = case.agreements.first().terms.get(order=1).instalments.all()
    A.do_record_payment(case, m, on=date(2026, 4, 8), note="转账凭证附卷", instalment=first, at=T0 + timedelta(days=38))
    A.do_record_follow_up(
        case,
        m,
        party=applicant,
        visited_on=date(2026, 4, 10),
        outcome=FollowUpOutcome.PARTIAL,
        satisfaction=Satisfaction.SATISFIED,
        notes="第一期赔偿款已收到，排水沟已疏通",
        at=T0 + timedelta(days=40),
    )
    A.do_record_payment(
        case, m, on=date(2026, 5, 8), note="第二期转账凭证附卷", instalment=second, at=T0 + timedelta(days=68)
    )
    A.do_record_follow_up(
        case,
        m,
        party=applicant,
        visited_on=date(2026, 5, 12),
        outcome=FollowUpOutcome.PERFORMED,
        satisfaction=Satisfaction.VERY_SATISFIED,
        notes="赔偿款已全部付清，双方关系缓和",
        at=T0 + timedelta(days=72),
    )
    A.do_confirm_performed(case, m, note="协议已全部履行", at=T0 + timedelta(days=72, hours=1))
    if until == "performed":
        case.refresh_from_db()
        return Rich(case, at)
    A.do_close_case(case, m, summary="协议已全部履行，当事人满意，结案", at=T0 + timedelta(days=73))
    if until == "closed":
        case.refresh_from_db()
        return Rich(case, at)
    A.do_archive_case(case, m, retention_class=RetentionClass.Y30, pages=12, at=T0 + timedelta(days=75))
    case.refresh_from_db()
    return Rich(case, at)


def oral_case(world: World) -> Case:
    """A case closed on an oral agreement performed on the spot."""
    case = make_case(world, CaseStatus.IN_MEDIATION, at=T0)
    walker = Walker(case, world.cast_a(), T0 + timedelta(days=2), random.Random(1), oral_share=1.0)
    for step in ("session", "agreement", "perform", "close"):
        walker.step(step)
    return walker.case

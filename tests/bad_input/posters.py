"""Cases in the right status for each action form, valid baseline submissions, and the posters that send a
submission as the right persona and check the refusal (action forms and the registration form).
"""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.test import Client
from django.utils import timezone

from cases import actions as A
from cases.enums import CaseStatus, FollowUpOutcome, Satisfaction
from cases.forms_agreement import DraftAgreementForm, TermForm
from cases.identity import make_valid_id_number
from cases.models import Case
from cases.permissions import available_actions
from cases.views import FORMS
from tests.bad_input.checks import assert_refused, today, typed_text
from tests.world import World, applicant_id, case_data, make_case
from workbench.forms import PartyForm, RegisterCaseForm

# --- cases in the right status for each action ------------------------------------------------------------------

SETUP: dict[str, tuple[CaseStatus, str]] = {
    "accept": (CaseStatus.INTAKE, "director_a"),
    "refuse": (CaseStatus.INTAKE, "director_a"),
    "transfer": (CaseStatus.INTAKE, "director_a"),
    "assign": (CaseStatus.ACCEPTED, "director_a"),
    "recuse": (CaseStatus.IN_MEDIATION, "director_a"),
    "record_investigation": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "record_session": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "extend": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "pause": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "resume": (CaseStatus.PAUSED, "mediator_a"),
    "terminate": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "party_refusal": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "draft_agreement": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "oral_agreement": (CaseStatus.IN_MEDIATION, "mediator_a"),
    "sign_agreement": (CaseStatus.IN_MEDIATION, "mediator_a"),  # + a draft
    "seal_agreement": (CaseStatus.IN_MEDIATION, "director_a"),  # + a draft
    "immediate_performance": (CaseStatus.AGREEMENT_REACHED, "mediator_a"),
    "record_payment": (CaseStatus.PERFORMING, "mediator_a"),
    "record_follow_up": (CaseStatus.PERFORMING, "mediator_a"),
    "confirm_performed": (CaseStatus.PERFORMING, "mediator_a"),  # + a follow-up finding performance
    "report_non_performance": (CaseStatus.PERFORMING, "mediator_a"),
    "urge_performance": (CaseStatus.NON_PERFORMANCE, "mediator_a"),
    "remediate": (CaseStatus.PERFORMING, "mediator_a"),
    "close": (CaseStatus.PERFORMED, "mediator_a"),
    "archive": (CaseStatus.CLOSED, "mediator_a"),
    "dispose": (CaseStatus.ARCHIVED, "county_admin"),
    "jc_apply": (CaseStatus.PERFORMING, "mediator_a"),  # agreement effective within the last 30 days
    "jc_court_accept": (CaseStatus.PERFORMING, "court_liaison"),  # + an application
    "jc_court_refuse": (CaseStatus.PERFORMING, "court_liaison"),  # + an application
    "jc_decide": (CaseStatus.PERFORMING, "court_liaison"),  # + an application the court accepted
    "guardian_consent": (CaseStatus.INTAKE, "director_a"),  # the applicant is a minor
    "put_oral_in_writing": (CaseStatus.IN_MEDIATION, "mediator_a"),  # + an oral agreement
    # issue 8 §3, supervision
    "supervise": (CaseStatus.IN_MEDIATION, "county_admin"),
    "urge": (CaseStatus.IN_MEDIATION, "sfs_officer"),
    "supervision_reply": (CaseStatus.IN_MEDIATION, "director_a"),  # + a pending 督办
    # issue 13: 重新分类 (the case is registered as NEIGHBOR)
    "reclassify": (CaseStatus.IN_MEDIATION, "mediator_a"),
}


def setup_case(world: World, action: str):
    status, persona = SETUP[action]
    user = world.personas()[persona]
    at = None
    if action.startswith("jc_"):
        at = timezone.now() - timedelta(days=10)  # the 30-day window for judicial confirmation is still open
    if action == "guardian_consent":
        data = case_data(world.party_user)
        data.parties[0].id_number = make_valid_id_number("421202", date(2016, 5, 17), 7)
        data.parties[0].guardian_name = "张父"
        case = make_case(world, status, parties=data.parties)
    else:
        case = make_case(world, status, at=at) if at else make_case(world, status)
    p1, p2 = case.parties.all()
    if action == "put_oral_in_writing":
        A.do_record_oral_agreement(
            case,
            world.mediator_a,
            facts=case.brief_facts,
            oral_reason="当场达成",
            terms=[A.TermData(obligor=p2, obligee=p1, content="赔礼道歉", manner="当面", deadline=today())],
        )
    if action in ("sign_agreement", "seal_agreement"):
        A.do_draft_agreement(
            case,
            world.mediator_a,
            facts=case.brief_facts,
            responsibilities="",
            terms=[
                A.TermData(
                    obligor=p2,
                    obligee=p1,
                    content="支付补偿款",
                    manner="转账",
                    amount=Decimal("500"),
                    place="调委会",
                    deadline=today() + timedelta(days=30),
                )
            ],
        )
    if action == "confirm_performed":
        A.do_record_follow_up(
            case,
            world.mediator_a,
            party=p1,
            visited_on=today(),
            outcome=FollowUpOutcome.PERFORMED,
            satisfaction=Satisfaction.SATISFIED,
            notes="已全部履行",
        )
    if action in ("jc_court_accept", "jc_court_refuse", "jc_decide"):
        A.do_apply_judicial_confirmation(
            case, world.mediator_a, applicant=p1, consenting=p2, court=world.court, applied_on=today()
        )
    if action == "jc_decide":
        A.do_record_court_acceptance(
            case, world.court_liaison, accepted=True, on=today(), court_case_no="（2026）鄂1202民特1号"
        )
    if action == "supervision_reply":
        A.do_supervise_case(case, world.county_admin, instruction="请抓紧组织调解并书面反馈办理进展")
    if action == "dispose":  # 销毁 only once the retention period is over (cases.retention): archived 11 years ago
        Case.objects.filter(pk=case.pk).update(archived_at=timezone.now() - timedelta(days=11 * 366))
    case.refresh_from_db()
    assert action in dict(available_actions(case, user)), (action, case.status)
    return case, user


def terms_data(p_from, p_to, **extra) -> dict:
    data = {
        "terms-TOTAL_FORMS": "1",
        "terms-INITIAL_FORMS": "0",
        "terms-MIN_NUM_FORMS": "1",
        "terms-MAX_NUM_FORMS": "20",
        "terms-0-obligor": str(p_from.pk),
        "terms-0-obligee": str(p_to.pk),
        "terms-0-content": "赔偿修缮费用",
        "terms-0-amount": "800",
        "terms-0-manner": "银行转账",
        "terms-0-place": "桂花村委会",
        "terms-0-deadline": (today() + timedelta(days=20)).isoformat(),
        "terms-0-instalments": "",
        "terms-0-subject": "GENERAL",
    }
    data.update(extra)
    return data


def valid_data(world: World, case: Case, action: str) -> dict:
    """A submission that passes every check (see test_valid_baseline_is_accepted)."""
    p1, p2 = case.parties.all()
    now = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)
    record = {
        "held_at": now.strftime("%Y-%m-%dT%H:%M"),
        "place": "调解室",
        "subject": "张三",
        "content": "向申请人了解纠纷经过，核实了现场照片。",
        "result": "查明事实",
    }
    return {
        "accept": {"note": "属于人民调解范围，予以受理", "exclusion": "NONE"},
        "refuse": {"reason": "纠纷已由人民法院受理", "routes": ["LITIGATION"], "calming_measures": ""},
        "transfer": {"to_committee": str(world.township.pk), "to_authority": "", "reason": "疑难纠纷移交街道调委会"},
        "assign": {
            "presiding": str(world.mediator_a.mediator.pk),
            "co_mediators": [str(world.mediator_a2.mediator.pk)],
            "chosen_by": "COMMITTEE",
            "rights_notified": "on",
            "identities_checked": "on",
        },
        "recuse": {
            "party": str(p1.pk),
            "replaced": str(world.mediator_a.mediator.pk),
            "replacement": str(world.mediator_a2.mediator.pk),
            "reason": "调解员与被申请人系亲属",
        },
        "record_investigation": record,
        "record_session": record,
        "extend": {
            "new_due": (today() + timedelta(days=10)).isoformat(),
            "reason": "需要等待伤情鉴定结论",
            "consent_record": "双方当事人当面同意延长",
            "consenting_parties": [str(p1.pk), str(p2.pk)],
        },
        "pause": {"reason": "等待伤情鉴定结论"},
        "resume": {"note": "鉴定结论已出"},
        "terminate": {
            "reason": "NO_PROSPECT",
            "note": "双方分歧较大无法达成一致",
            "routes": ["LITIGATION"],
            "escalation_risk": "",
        },
        "party_refusal": {"party": str(p2.pk), "statement": "被申请人表示不愿调解", "routes": ["LITIGATION"]},
        "draft_agreement": {
            "facts": "双方因排水沟堵塞发生纠纷，经调解达成如下协议。",
            "responsibilities": "被申请人负主要责任",
            **terms_data(p2, p1),
        },
        "oral_agreement": {
            "facts": "双方因排水沟堵塞发生纠纷，当场达成口头协议。",
            "oral_reason": "双方当场履行",
            **terms_data(p2, p1),
        },
        "sign_agreement": {"signer": str(p1.pk), "method": "HANDWRITTEN"},
        "seal_agreement": {},
        "immediate_performance": {"on": today().isoformat(), "note": "当场支付现金，收条附卷"},
        "record_payment": {"on": today().isoformat(), "amount": "100", "note": "转账100元", "instalment": ""},
        "record_follow_up": {
            "party": str(p1.pk),
            "visited_on": today().isoformat(),
            "outcome": "PERFORMED",
            "satisfaction": "SATISFIED",
            "notes": "已按协议履行",
        },
        "confirm_performed": {"note": "经回访确认已履行"},
        "report_non_performance": {"partial": "", "note": "义务人到期未支付"},
        "urge_performance": {"note": "电话督促义务人履行"},
        "remediate": {
            "reason": "双方对履行方式产生新争议",
            "revoke": "",
            "consenting_parties": [str(p1.pk), str(p2.pk)],
        },
        "close": {"summary": "协议已履行完毕，结案", "advised_litigation": "on"},
        "archive": {"retention_class": "Y10", "pages": "12"},
        "dispose": {"approval": "区司法局批准，文号咸司〔2026〕1号"},
        "jc_apply": {
            "applicant": str(p1.pk),
            "consenting": str(p2.pk),
            "court": str(world.court.pk),
            "applied_on": today().isoformat(),
        },
        "jc_court_accept": {"on": today().isoformat(), "court_case_no": "（2026）鄂1202民特8号"},
        "jc_court_refuse": {"on": today().isoformat(), "reason": "不属于本院管辖"},
        "jc_decide": {"valid": "1", "on": today().isoformat(), "reason": ""},
        "guardian_consent": {"party": str(p1.pk), "guardian_name": "张父", "consent_record": "监护人当面签署同意书"},
        "put_oral_in_writing": {f"method_{p1.pk}": "FINGERPRINT", f"method_{p2.pk}": "HANDWRITTEN", "confirm": "on"},
        "supervise": {"instruction": "请抓紧组织调解并书面反馈办理进展", "reply_deadline": ""},
        "urge": {"text": "请尽快安排调解"},
        "reclassify": {"dispute_type": "HOUSING_HOMESTEAD", "reason": "经现场查看，系宅基地边界纠纷"},
        "supervision_reply": {
            "supervision": str(case.supervisions.values_list("pk", flat=True).first()),
            "text": "已组织双方再次调解，预计一周内达成协议",
        },
    }[action]


def declared_fields(action: str) -> dict[str, forms.Field]:
    """The fields a form declares, with the first term form's fields for the agreement forms."""
    form_class = FORMS[action]
    fields = dict(form_class.base_fields)
    if issubclass(form_class, DraftAgreementForm):
        fields.update({f"terms-0-{n}": f for n, f in TermForm.base_fields.items()})
    return fields


def live_fields(action: str, case: Case, user) -> dict[str, forms.Field]:
    """All fields of the form as the server builds it for this case (some are added in __init__)."""
    form = FORMS[action](None, case=case, actor=user)
    fields = dict(form.fields)
    if hasattr(form, "terms"):
        fields.update({f"terms-0-{n}": f for n, f in form.terms.empty_form.fields.items()})
    return fields


# Forms whose every field is optional: an empty submission is a valid one.
NO_REQUIRED = {"resume", "confirm_performed", "seal_agreement"}
# Forms made only of free text (and tick boxes): a random string is valid input there.
TEXT_ONLY = {
    "pause",
    "resume",
    "confirm_performed",
    "urge_performance",
    "report_non_performance",
    "close",
    "dispose",
    "seal_agreement",
    "urge",
}
DATE_ACTIONS = [
    a for a in FORMS if any(isinstance(f, (forms.DateField, forms.DateTimeField)) for f in declared_fields(a).values())
]
NUMBER_ACTIONS = [a for a in FORMS if any(isinstance(f, forms.IntegerField) for f in declared_fields(a).values())]
# Fields that point at rows (parties, mediators, committees, courts, instalments) — checked complete below.
FK_FIELDS = {
    "transfer": ["to_committee"],
    "assign": ["presiding", "co_mediators"],
    "recuse": ["party", "replaced", "replacement"],
    "party_refusal": ["party"],
    "extend": ["consenting_parties"],
    "draft_agreement": ["terms-0-obligor", "terms-0-obligee"],
    "oral_agreement": ["terms-0-obligor", "terms-0-obligee"],
    "sign_agreement": ["signer"],
    "record_payment": ["instalment"],
    "record_follow_up": ["party"],
    "remediate": ["consenting_parties"],
    "jc_apply": ["applicant", "consenting", "court"],
    "supervision_reply": ["supervision"],
}


class Poster:
    """Posts to one action of one case and checks the refusal."""

    def __init__(self, world: World, action: str) -> None:
        self.world, self.action = world, action
        self.case, self.user = setup_case(world, action)
        self.client = Client()
        self.client.force_login(self.user)
        self.url = f"/cases/{self.case.pk}/do/{action}/"
        self.status = self.case.status
        self.events = self.case.events.count()

    def valid(self) -> dict:
        return valid_data(self.world, self.case, self.action)

    def post(self, data: dict):
        response = self.client.post(self.url, data)
        assert response.status_code != 500
        return response

    def refused(self, data: dict, typed: dict | None = None, why: str = "") -> str:
        response = self.post(data)
        return assert_refused(
            response,
            typed if typed is not None else typed_text(data, self.fields()),
            self.unchanged,
            why or f"{self.action} {list(data)[:3]}",
        )

    def fields(self) -> dict[str, forms.Field]:
        return live_fields(self.action, self.case, self.user)

    def unchanged(self) -> None:
        self.case.refresh_from_db()
        assert self.case.status == self.status
        assert self.case.events.count() == self.events


GARBAGE_ACTIONS = [a for a in FORMS if a != "seal_agreement"]  # sealing takes no input at all


# --- registration -----------------------------------------------------------------------------------------------


def register_valid() -> dict:
    return {
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "2",
        "parties-MAX_NUM_FORMS": "30",
        "parties-0-side": "APPLICANT",
        "parties-0-party_type": "NATURAL_PERSON",
        "parties-0-name": "周大爷",
        "parties-0-id_number": applicant_id(31),
        "parties-0-phone": "13900003131",
        "parties-0-address": "桂花村二组",
        "parties-1-side": "RESPONDENT",
        "parties-1-party_type": "NATURAL_PERSON",
        "parties-1-name": "吴小妹",
        "parties-1-id_number": applicant_id(32),
        "dispute_type": "NEIGHBOR",
        "source": "ON_APPLICATION",
        "brief_facts": "双方因宅基地界址发生争执，多次口角。",
        "claims": "请求确认界址",
        "amount_involved": "0",
        "exclusion": "NONE",
    }


def register_fields() -> dict[str, forms.Field]:
    fields = dict(RegisterCaseForm.base_fields)
    for i in (0, 1):
        fields.update({f"parties-{i}-{n}": f for n, f in PartyForm.base_fields.items()})
    return fields


class RegisterPoster:
    def __init__(self, world: World) -> None:
        self.client = Client()
        self.client.force_login(world.mediator_a)
        self.count = Case.objects.count()

    def unchanged(self) -> None:
        assert Case.objects.count() == self.count

    def refused(self, data: dict, typed: dict | None = None, why: str = "") -> str:
        response = self.client.post("/workbench/register/", data)
        assert response.status_code != 500
        html = assert_refused(
            response, typed if typed is not None else typed_text(data, register_fields()), self.unchanged, why
        )
        assert "请根据提示修改标红的项目" in html
        return html

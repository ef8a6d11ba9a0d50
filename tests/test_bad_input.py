"""Garbage into every form: never a 500, errors in Chinese next to the fields, nothing changed, input kept.

Every action form of cases.views.FORMS is posted on a case in a status where that action is offered to the persona
posting; so are the registration form, the holiday editor and the login form. A valid baseline per form is posted
first (test_valid_baseline_is_accepted) so that the garbage tests, which spoil one thing at a time, prove that the
spoilt thing is what the server refuses."""

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.utils import reset as axes_reset
from django import forms
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from cases import actions as A
from cases.enums import CaseStatus, FollowUpOutcome, Satisfaction
from cases.forms_agreement import DraftAgreementForm, TermForm
from cases.models import Case
from cases.permissions import available_actions
from cases.views import FORMS
from tests.world import PASSWORD, World, applicant_id, make_case
from workbench.forms import PartyForm, RegisterCaseForm
from workdays.models import CalendarOverride


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    axes_reset()
    yield
    axes_reset()


CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own English messages, in case a translation or a custom message is missing.
ENGLISH = re.compile(
    r"This field|Enter a |Select a valid|Ensure this|is missing or has been tampered|Please submit|"
    r"is required|valid date|valid number|not one of the available|Forbidden|Server Error"
)
# What a browser sends for a form left empty: the CSRF token and nothing else. (A POST with no data at all is
# treated like a GET by the `request.POST or None` idiom: the blank form again, see test_literally_empty_post.)
EMPTY = {"csrfmiddlewaretoken": "not-checked-by-the-test-client"}
ERROR_BLOCKS = re.compile(r'<(?:div|ul) class="(?:errorlist|alert alert-danger)[^"]*"[^>]*>(.*?)</(?:div|ul)>', re.S)


def error_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", " ", block).strip() for block in ERROR_BLOCKS.findall(html)]


def today():
    return timezone.localdate()


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
}


def setup_case(world: World, action: str):
    status, persona = SETUP[action]
    user = world.personas()[persona]
    at = None
    if action.startswith("jc_"):
        at = timezone.now() - timedelta(days=10)  # the 30-day window for judicial confirmation is still open
    case = make_case(world, status, at=at) if at else make_case(world, status)
    p1, p2 = case.parties.all()
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
        "accept": {"note": "属于人民调解范围，予以受理"},
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


def is_text(field: forms.Field) -> bool:
    return isinstance(field, forms.CharField)


# Forms whose every field is optional: an empty submission is a valid one.
NO_REQUIRED = {"accept", "resume", "confirm_performed", "seal_agreement"}
# Forms made only of free text (and tick boxes): a random string is valid input there.
TEXT_ONLY = {
    "accept",
    "pause",
    "resume",
    "confirm_performed",
    "urge_performance",
    "report_non_performance",
    "close",
    "dispose",
    "seal_agreement",
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
}
BAD_DATES = ["2026-02-30", "abc", "2026-13-01", "0000-00-00", "2026-02-30T10:00"]
BAD_NUMBERS = ["-100", "abc", "NaN", "sNaN", "Infinity", "1e999", "12,5"]


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


def typed_text(data: dict, fields: dict[str, forms.Field]) -> dict:
    """The free-text values of a submission: these must come back in the re-rendered form."""
    return {k: v for k, v in data.items() if k in fields and is_text(fields[k]) and isinstance(v, str) and v.strip()}


def assert_refused(response, typed: dict, unchanged, why: str) -> str:
    assert response.status_code == 200, (why, response.status_code, response.get("Location"))
    html = response.content.decode()
    errors = error_texts(html)
    assert errors, f"{why}: no error shown"
    assert any(CJK.search(e) for e in errors), (why, errors)
    for e in errors:
        assert not ENGLISH.search(e), (why, e)
    assert "This field is required" not in html
    unchanged()
    for name, value in typed.items():
        assert escape(value) in html, f"{why}: {name} not re-rendered"
    return html


def random_text(rng: random.Random, n: int = 14) -> str:
    alphabet = "甲乙丙丁戊己庚辛壬癸αβγxyzQWE0123456789<>&\"'%#;/\\！？～😀"
    return "".join(rng.choice(alphabet) for _ in range(n))


def garbage(fields: dict[str, forms.Field], make) -> dict:
    data = {}
    for name in fields:
        data[name] = make(name)
    return data


GARBAGE_ACTIONS = [a for a in FORMS if a != "seal_agreement"]  # sealing takes no input at all


def test_every_action_is_set_up():
    assert set(SETUP) == set(FORMS)


@pytest.mark.parametrize("action", list(FORMS))
def test_valid_baseline_is_accepted(world, action):
    p = Poster(world, action)
    response = p.post({**EMPTY, **p.valid()})
    if action == "dispose":  # the form is fine; the retention period of a case archived this year is not over
        html = assert_refused(response, {}, p.unchanged, action)
        assert "保管期限未满" in html
        return
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert p.case.events.count() > p.events


@pytest.mark.parametrize("action", [a for a in GARBAGE_ACTIONS if a not in NO_REQUIRED])
def test_empty_post(world, action):
    p = Poster(world, action)
    p.refused(EMPTY)


@pytest.mark.parametrize("action", ["accept", "pause", "draft_agreement"])
def test_literally_empty_post(world, action):
    p = Poster(world, action)
    response = p.post({})
    assert response.status_code == 200
    p.unchanged()


def test_forms_without_required_fields_are_known(world):
    for action in NO_REQUIRED:
        case, user = setup_case(world, action)
        assert not any(f.required for f in live_fields(action, case, user).values()), action


@pytest.mark.parametrize("action", GARBAGE_ACTIONS)
def test_random_strings_in_every_field(world, action):
    p = Poster(world, action)
    rng = random.Random(action)
    fields = p.fields()
    data = garbage(fields, lambda name: random_text(rng))
    if "terms-0-content" in fields:
        data.update({k: v for k, v in terms_data(*p.case.parties.all()).items() if "FORMS" in k})
    if action in TEXT_ONLY:
        # Free text accepts any text: the server may take it (302) or refuse it politely, never crash.
        response = p.post(data)
        if response.status_code == 200:
            assert_refused(response, typed_text(data, fields), p.unchanged, action)
        else:
            assert response.status_code == 302
        return
    p.refused(data)


@pytest.mark.parametrize("action", GARBAGE_ACTIONS)
def test_huge_strings_in_every_field(world, action):
    p = Poster(world, action)
    fields = p.fields()
    data = garbage(fields, lambda name: f"{name}:" + "长" * 10_000)
    if "terms-0-content" in fields:
        data.update({k: v for k, v in terms_data(*p.case.parties.all()).items() if "FORMS" in k})
    html = p.refused(data)
    if any(is_text(f) and f.max_length and f.max_length < 10_000 for f in fields.values()):
        assert "不超过" in html  # 确保该值不超过 N 个字符


@pytest.mark.parametrize("action", DATE_ACTIONS)
def test_invalid_dates(world, action):
    p = Poster(world, action)
    fields = p.fields()
    date_fields = [n for n, f in fields.items() if isinstance(f, (forms.DateField, forms.DateTimeField))]
    assert date_fields
    for name in date_fields:
        for bad in BAD_DATES:
            data = {**p.valid(), name: bad}
            html = p.refused(data, why=f"{action} {name}={bad}")
            assert f'value="{bad}"' in html, f"{name}={bad} not re-rendered"


@pytest.mark.parametrize("action", NUMBER_ACTIONS)
def test_negative_and_non_numeric_amounts(world, action):
    p = Poster(world, action)
    fields = p.fields()
    number_fields = [n for n, f in fields.items() if isinstance(f, forms.IntegerField)]
    for name in number_fields:
        for bad in BAD_NUMBERS:
            p.refused({**p.valid(), name: bad}, why=f"{action} {name}={bad}")


@pytest.mark.parametrize("action", list(FK_FIELDS))
def test_foreign_keys_that_do_not_exist_or_belong_elsewhere(world, action):
    p = Poster(world, action)
    fields = p.fields()
    pointers = {n for n, f in fields.items() if isinstance(f, (forms.ModelChoiceField, forms.ModelMultipleChoiceField))}
    assert pointers <= set(FK_FIELDS[action]), f"update FK_FIELDS: {pointers}"
    other_case = make_case(world, CaseStatus.INTAKE, party_user=None, seed=7)
    stranger = other_case.parties.first()
    foreign_mediator = world.mediator_b.mediator  # another committee's mediator
    for name in FK_FIELDS[action]:
        bad_values = ["999999", "abc", "-1"]
        if name in (
            "party",
            "applicant",
            "consenting",
            "signer",
            "consenting_parties",
            "terms-0-obligor",
            "terms-0-obligee",
        ):
            bad_values.append(str(stranger.pk))  # a party of another case
        if name in ("presiding", "co_mediators", "replaced", "replacement"):
            bad_values.append(str(foreign_mediator.pk))
        if name == "to_committee":
            bad_values += [str(world.village_c.pk), str(world.village_a.pk)]  # another county; itself
        for bad in bad_values:
            value = [bad] if isinstance(fields[name], forms.MultipleChoiceField) else bad
            p.refused({**p.valid(), name: value}, why=f"{action} {name}={bad}")


@pytest.mark.parametrize("action", ["draft_agreement", "oral_agreement"])
@pytest.mark.parametrize("tamper", ["x", "21", "-1", "0", "initial-x", "missing"])
def test_term_formset_tampering(world, action, tamper):
    p = Poster(world, action)
    data = p.valid()
    if tamper == "missing":
        for key in [k for k in data if k.endswith("_FORMS")]:
            del data[key]
    elif tamper == "initial-x":
        data["terms-INITIAL_FORMS"] = "x"
    else:
        data["terms-TOTAL_FORMS"] = tamper
    p.refused(data, typed={"facts": data["facts"]}, why=f"{action} TOTAL_FORMS {tamper}")


@pytest.mark.parametrize(
    "instalments",
    [
        "2026-12-01 sNaN",
        "2026-12-01 NaN",
        "2026-12-01 Infinity",
        "2026-12-01 1e999999",
        "2026-02-30 800",
        "明天 800",
        "2026-12-01",
    ],
)
def test_instalment_lines_that_are_not_instalments(world, instalments):
    p = Poster(world, "draft_agreement")
    data = p.valid()
    deadline = today() + timedelta(days=20)
    data["terms-0-instalments"] = instalments.replace("2026-12-01", (deadline - timedelta(days=5)).isoformat())
    p.refused(data, why=f"instalments {instalments!r}")


def test_negative_instalment_is_refused(world):
    p = Poster(world, "draft_agreement")
    data = p.valid()
    first, second = today() + timedelta(days=5), today() + timedelta(days=10)
    data["terms-0-instalments"] = f"{first} 1600\n{second} -800"
    p.refused(data, why="negative instalment")


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


def test_register_valid_baseline(world):
    client = Client()
    client.force_login(world.mediator_a)
    response = client.post("/workbench/register/", register_valid())
    assert response.status_code == 302
    assert Case.objects.get().status == CaseStatus.INTAKE


def test_register_garbage(world):
    p = RegisterPoster(world)
    fields = register_fields()
    management = {k: v for k, v in register_valid().items() if "FORMS" in k}
    p.refused(EMPTY, typed={}, why="empty")
    rng = random.Random("register")
    p.refused({**garbage(fields, lambda n: random_text(rng)), **management}, why="random")
    html = p.refused({**garbage(fields, lambda n: f"{n}:" + "长" * 10_000), **management}, why="huge")
    assert "不超过" in html
    for bad in BAD_DATES:
        p.refused({**register_valid(), "occurred_on": bad}, why=f"occurred_on={bad}")
    for bad in BAD_NUMBERS:
        p.refused({**register_valid(), "amount_involved": bad}, why=f"amount={bad}")
    for bad in ["999999", "abc", "-1"]:
        p.refused({**register_valid(), "source": "REFERRED_COURT", "court": bad}, why=f"court={bad}")
    for bad in ["421202198005170110", "12345", "42120219800230001X", "x" * 18]:
        p.refused({**register_valid(), "parties-0-id_number": bad}, why=f"id={bad}")
    p.refused({**register_valid(), "parties-1-side": "APPLICANT"}, why="no respondent")


@pytest.mark.parametrize("tamper", ["x", "31", "-1", "1", "initial-x", "missing"])
def test_register_party_formset_tampering(world, tamper):
    p = RegisterPoster(world)
    data = register_valid()
    if tamper == "missing":
        for key in [k for k in data if k.endswith("_FORMS")]:
            del data[key]
    elif tamper == "initial-x":
        data["parties-INITIAL_FORMS"] = "x"
    else:
        data["parties-TOTAL_FORMS"] = tamper
    p.refused(data, typed={"brief_facts": data["brief_facts"], "claims": data["claims"]}, why=f"TOTAL_FORMS {tamper}")


def test_huge_term_total_forms_is_capped_at_max_num(world):
    p = Poster(world, "draft_agreement")
    data = {**p.valid(), "terms-TOTAL_FORMS": "1000000"}
    response = p.client.post(p.url, data)
    assert response.status_code == 200
    assert "请最多提交 20 个表单" in response.content.decode()
    p.unchanged()
    assert response.context["form"].terms.total_form_count() <= 20


def test_huge_party_total_forms_is_capped_at_max_num(world):
    client = Client()
    client.force_login(world.mediator_a)
    response = client.post("/workbench/register/", {**register_valid(), "parties-TOTAL_FORMS": "1000000"})
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert response.context["parties"].total_form_count() <= 30


# --- the holiday editor -----------------------------------------------------------------------------------------


def test_holiday_form_garbage(world):
    client = Client()
    client.force_login(world.county_admin)
    CalendarOverride.objects.create(date=today(), kind="HOLIDAY", name="已有")
    count = CalendarOverride.objects.count()

    def unchanged():
        assert CalendarOverride.objects.count() == count

    def refused(data, why):
        response = client.post("/console/holidays/", data)
        assert response.status_code != 500
        typed = {k: v for k, v in data.items() if k == "name" and v}
        return assert_refused(response, typed, unchanged, why)

    refused(EMPTY, "empty")
    rng = random.Random("holidays")
    refused({"date": random_text(rng), "kind": random_text(rng), "name": random_text(rng)}, "random")
    html = refused({"date": "长" * 10_000, "kind": "长" * 10_000, "name": "名" * 10_000}, "huge")
    assert "不超过" in html
    for bad in BAD_DATES:
        refused({"date": bad, "kind": "WORKDAY", "name": "调休"}, f"date={bad}")
    refused({"date": today().isoformat(), "kind": "WORKDAY", "name": "重复"}, "duplicate")
    html = refused({"date": today().isoformat(), "kind": "WORKDAY", "name": "重复"}, "duplicate")
    assert "该日期已设置" in html


# --- the login form ---------------------------------------------------------------------------------------------


def login_refused(client, data, why, typed_username=True):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 200, why
    html = response.content.decode()
    errors = error_texts(html)
    assert errors and any(CJK.search(e) for e in errors), (why, errors)
    assert not ENGLISH.search(html), why
    assert "_auth_user_id" not in client.session
    if typed_username and data.get("username"):
        assert f'value="{escape(data["username"])}"' in html
    return html


def test_login_wrong_or_random_credentials(world):
    client = Client()
    rng = random.Random("login")
    login_refused(client, {"username": "mediator_a", "password": "wrong"}, "wrong password")
    login_refused(client, {"username": random_text(rng), "password": random_text(rng)}, "random")


def test_login_huge_username_is_refused(world):
    login_refused(Client(), {"username": "长" * 10_000, "password": "x"}, "huge username")


@pytest.mark.parametrize(
    "data",
    [EMPTY, {"username": "", "password": ""}, {"username": "mediator_a", "password": ""}],
    ids=["no-fields", "blank", "no-password"],
)
def test_login_empty_says_why(world, data):
    login_refused(Client(), data, f"login {list(data)}", typed_username=False)


def test_login_empty_or_long_does_not_crash(world):
    client = Client()
    long = {"username": "长" * 150, "password": "x" * 10_000}  # longer names: test_login_huge_username_is_refused
    for data in [{}, EMPTY, {"username": "", "password": ""}, long]:
        response = client.post("/accounts/login/", data)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_login_is_locked_after_five_failures(world):
    client = Client()
    for n in range(1, 6):
        response = client.post("/accounts/login/", {"username": "mediator_a", "password": f"wrong-{n}"})
        if n < 5:
            assert "用户名或密码不正确" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "mediator_a", "password": PASSWORD})
    assert response.status_code in (403, 429)
    html = response.content.decode()
    assert "登录失败次数过多" in html and "锁定" in html
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected; an administrator's reset unlocks.
    assert Client().post("/accounts/login/", {"username": "mediator_a2", "password": PASSWORD}).status_code == 302
    axes_reset(username="mediator_a")
    assert client.post("/accounts/login/", {"username": "mediator_a", "password": PASSWORD}).status_code == 302


# --- CSRF -------------------------------------------------------------------------------------------------------


def test_posts_without_csrf_token_are_forbidden(world):
    case = make_case(world, CaseStatus.IN_MEDIATION)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.mediator_a)
    events = case.events.count()
    data = valid_data(world, case, "pause")
    assert client.post(f"/cases/{case.pk}/do/pause/", data).status_code == 403
    assert client.post(f"/cases/{case.pk}/parties/{case.parties.first().pk}/id-number/").status_code == 403
    assert client.post("/workbench/register/", register_valid()).status_code == 403
    assert (
        Client(enforce_csrf_checks=True)
        .post("/accounts/login/", {"username": "mediator_a", "password": PASSWORD})
        .status_code
        == 403
    )
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(world.county_admin)
    assert admin.post("/console/holidays/", {"date": "2026-12-05", "kind": "WORKDAY"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_MEDIATION and case.events.count() == events
    assert not CalendarOverride.objects.exists()
    # With the token the same post goes through.
    page = client.get(f"/cases/{case.pk}/do/pause/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    assert client.post(f"/cases/{case.pk}/do/pause/", {**data, "csrfmiddlewaretoken": token}).status_code == 302

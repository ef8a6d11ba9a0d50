"""The demo's 多元化解 (issue 11): a 矛调中心 in each county, the institutions that refer disputes to it (the county
court, a police station, the petition office; the city's 12345 centre), their liaisons, the sandbox court with its
OAuth2 client and webhook endpoint, and referrals in every state — all made through referrals.services and
cases.actions, as users make them.

Called once by `seed_demo` after the cases (its own random stream, so the cases stay as they were). Every moment
lies in office hours before midnight of --today. The sandbox court's credentials (client id and secret, webhook
secret) are written to var/sandbox_court.json for scripts/court_client.py and printed by scripts/demo.sh; var/ is
never committed.
"""

import json
import os
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Role, User
from cases.enums import CourtReferralType as CR
from cases.enums import DisputeType as DT
from cases.enums import PartySide
from cases.identity import make_valid_id_number
from demo import city as D
from demo.scenarios import Cast, Walker, working_moment, working_time_on
from notifications.services import no_sms_for_past_events
from referrals.enums import Channel, ContactResult, CourtTermination, Procedure, ReferralStatus
from referrals.models import Institution, Referral
from registry.models import Committee, CommitteeKind, Court
from workdays.calendar import is_working_day

# The demo accounts of this part (development only; password demo.city.DEMO_PASSWORD): the 矛调中心 of the demo
# county (its director's account), and the liaison of the demo county's police station.
HUB_USERNAME, POLICE_USERNAME = "hub", "police"
REFERRAL_ACCOUNTS = (HUB_USERNAME, POLICE_USERNAME)
POLICE_LIAISON = ("赵警官", "M")
SANDBOX_NAME = "沙箱法院（演示）"
SANDBOX_CODE = "SANDBOX-COURT"
SANDBOX_WEBHOOK_URL = "http://127.0.0.1:8765/webhooks"
SANDBOX_SCOPES = "referrals:write referrals:read outcomes:read"
BASE_URL = "http://127.0.0.1:8000"


def credentials_file() -> Path | None:
    """Where the sandbox court's credentials go: TIAOJIE_SANDBOX_FILE, else var/sandbox_court.json — except under
    tests (TIAOJIE_ENV=test), which write nothing unless they name a file."""
    if path := os.environ.get("TIAOJIE_SANDBOX_FILE"):
        return Path(path)
    if settings.ENVIRONMENT == "test":
        return None
    return Path(settings.BASE_DIR) / "var" / "sandbox_court.json"


class TooLate(Exception):
    """A demo referral's walk would end after --today (it is made again, earlier)."""


@dataclass
class County:
    code: str
    name: str
    hub: Committee
    court: Institution
    police: Institution
    petition: Institution


class ReferralSeeder:
    def __init__(self, city: D.City, end: datetime, seed: int, out) -> None:
        self.city, self.end, self.out = city, end, out
        self.rng = random.Random(seed * 7_777 + 11)
        self.units = {u.committee.pk: u for u in city.units}
        self.counter = 900  # court numbers of the demo referrals (the demo cases' numbers count from 1)

    # Organisations --------------------------------------------------------------------------------------------
    def organisations(self) -> dict[str, County]:
        """Each county's 人民调解中心 becomes its 矛调中心 (is_hub); its court, police station (of the county seat's
        township) and petition office refer to it; the city's 12345 centre refers to the demo county's hub."""
        counties = {}
        for code, county in self.city.counties.items():
            hub = Committee.objects.get(division_id=code, kind=CommitteeKind.CENTRE)
            hub.is_hub = True
            hub.save(update_fields=["is_hub"])
            court_row = self.city.courts[code]
            town = min((t for t in self.city.townships.values() if t.parent_id == code), key=lambda t: t.code)
            police_name = f"{county.name}公安局{town.name.removesuffix('街道')}派出所"
            counties[code] = County(
                code,
                county.name,
                hub,
                court=self._institution(Channel.COURT, court_row.name, f"FY{code}", county, hub, court=court_row),
                police=self._institution(Channel.POLICE, police_name, f"GA{town.code}", town, hub),
                petition=self._institution(Channel.PETITION, f"{county.name}信访局", f"XF{code}", county, hub),
            )
        demo = counties[D.DEMO_COUNTY]
        name = "咸宁市12345政务服务便民热线"
        self.hotline = self._institution(Channel.HOTLINE, name, "12345-4212", self.city.city, demo.hub)
        return counties

    def _institution(self, kind, name, code, division, hub, **kw) -> Institution:
        phone = f"0715-{self.rng.randrange(10**7):07d}"
        return Institution.objects.create(
            kind=kind, name=name, code=code, division=division, default_receiver=hub, contact_phone=phone, **kw
        )

    def accounts(self, demo: County) -> dict[str, User]:
        """The hub account is the demo centre's director (given the demo password); each demo-county institution
        has a liaison (the police station's signs in as `police`; the others' accounts have unusable passwords).
        The court liaison is the demo's `court` account (its court's institution)."""
        hub_director = self.city.demo_centre_unit.director
        hub_director.username, hub_director.password = HUB_USERNAME, make_password(D.DEMO_PASSWORD)
        hub_director.save(update_fields=["username", "password"])
        name, _gender = POLICE_LIAISON
        police = User.objects.create_user(
            POLICE_USERNAME,
            password=D.DEMO_PASSWORD,
            full_name=name,
            role=Role.INSTITUTION_LIAISON,
            institution=demo.police,
            phone=D.phone(self.rng),
        )
        liaisons = {"hub": hub_director, "police": police, "court": self.city.accounts["court"]}
        for key, institution in [("petition", demo.petition), ("hotline", self.hotline)]:
            user = User(
                username=f"liaison-{institution.code.lower()}",
                full_name=D.person_name(self.rng, self.rng.choice("MF")),
                role=Role.INSTITUTION_LIAISON,
                institution=institution,
                phone=D.phone(self.rng),
            )
            user.set_unusable_password()
            user.save()
            liaisons[key] = user
        return liaisons

    def sandbox(self, demo: County) -> dict:
        """The sandbox court: an institution (is_sandbox) of the demo county, an OAuth2 client (client credentials,
        every scope) and a webhook endpoint at the court client's default address. No demo referral is seeded for it:
        its exchange is the one scripts/court_client.py plays."""
        from api.clients import add_endpoint, create_client

        # A court institution is a registry court (the case of an accepted referral names it): the sandbox has its own.
        county = self.city.counties[D.DEMO_COUNTY]
        institution = Institution.objects.create(
            kind=Channel.COURT,
            name=SANDBOX_NAME,
            code=SANDBOX_CODE,
            division=county,
            court=Court.objects.create(name=SANDBOX_NAME, division=county),
            default_receiver=demo.hub,
            is_sandbox=True,
        )
        admin = self.city.accounts["county"]
        client, secret = create_client(institution, "沙箱法院案件系统", SANDBOX_SCOPES, admin)
        endpoint, webhook_secret = add_endpoint(
            institution, SANDBOX_WEBHOOK_URL, by=admin, description="scripts/court_client.py 的本地接收地址"
        )
        return {
            "institution": institution.name,
            "base_url": BASE_URL,
            "client_id": client.application.client_id,
            "client_secret": secret,
            "webhook_url": endpoint.url,
            "webhook_secret": webhook_secret,
            "scopes": SANDBOX_SCOPES,
        }

    # Time -----------------------------------------------------------------------------------------------------
    def day_before(self, working_days: int) -> date:
        day = self.end.date()
        for _ in range(working_days):
            day -= timedelta(days=1)
            while not is_working_day(day):
                day -= timedelta(days=1)
        return day

    def moment(self, working_days_ago: int) -> datetime:
        return working_time_on(self.day_before(working_days_ago), self.rng)

    def later(self, at: datetime, hours_min: float, hours_max: float) -> datetime:
        """A moment `hours_min`–`hours_max` after `at`, in office hours, before --today."""
        t = working_moment(at + timedelta(hours=self.rng.uniform(hours_min, hours_max)), self.rng)
        if t >= self.end:
            raise TooLate(f"demo referral step at {t:%Y-%m-%d %H:%M} is after --today")
        return t

    # Referrals ------------------------------------------------------------------------------------------------
    def data(self, channel: str, dispute: str, *, mode: str = "", procedure: str = "", **kw):
        from referrals.services import ReferralData, ReferralPartyData

        rng = self.rng
        a_gender, r_gender = rng.choice("MF"), rng.choice("MF")
        applicant, respondent = D.person_name(rng, a_gender), D.person_name(rng, r_gender)
        place = kw.pop("place", "咸安区温泉街道")
        facts, claims = (t.format(a=applicant, r=respondent, place=place[3:] or place) for t in D.texts(rng, dispute))
        consent = "双方当事人均同意调解" if channel == Channel.COURT else ""
        born = [date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(2)]
        ids = [make_valid_id_number(D.DEMO_COUNTY, b, rng.randrange(500) * 2 + (g == "M")) for b, g in
               zip(born, (a_gender, r_gender), strict=True)]  # fmt: skip
        parties = [
            ReferralPartyData(
                side=side,
                name=name,
                id_number=number,
                phone=D.phone(rng),
                service_address="手机短信",
                address=f"湖北省咸宁市{place}{rng.randint(1, 12)}组",
                consented=channel == Channel.COURT,
                consent_how="书面同意" if channel == Channel.COURT else "",
            )
            for side, name, number in [
                (PartySide.APPLICANT, applicant, ids[0]),
                (PartySide.RESPONDENT, respondent, ids[1]),
            ]
        ]
        if channel == Channel.COURT:
            self.counter += 1
            kind = "民诉前调" if mode == CR.WEIPAI else "民初"
            external = f"（{self.end.year}）鄂{D.DEMO_COUNTY[2:]}{kind}{self.counter}号"
            handler = ("张法官", "0715-8123401")
        elif channel == Channel.POLICE:
            external, handler = f"JQ{self.end:%Y%m%d}{rng.randrange(10**4):04d}", ("赵警官", "0715-8238110")
        elif channel == Channel.PETITION:
            external, handler = f"XF{self.end.year}{rng.randrange(10**5):05d}", ("信访局经办人", "0715-8234567")
        else:
            external, handler = f"12345-{self.end:%Y%m}{rng.randrange(10**6):06d}", ("热线工单员", "0715-8012345")
            kw.setdefault("matter_type", "COMPLAINT")
        amount = Decimal(rng.choice([1500, 3000, 5000, 12000, 26000]))
        return ReferralData(
            external_no=external,
            brief_facts=facts,
            claims=claims,
            parties=parties,
            referral_type=mode,
            procedure=procedure,
            handler_name=handler[0],
            handler_phone=handler[1],
            dispute_type=dispute,
            place=place,
            amount_involved=amount,
            consent_note=consent,
            **kw,
        )

    def make(self, plan: "Plan", counties: dict[str, County], liaisons: dict[str, User]) -> Referral:
        from referrals import services as R

        demo = counties[D.DEMO_COUNTY]
        institution = {
            Channel.COURT: demo.court,
            Channel.POLICE: demo.police,
            Channel.PETITION: demo.petition,
            Channel.HOTLINE: self.hotline,
        }[plan.channel]
        sender = liaisons[
            {Channel.COURT: "court", Channel.POLICE: "police", Channel.PETITION: "petition"}.get(
                plan.channel, "hotline"
            )
        ]
        unit = {
            "hub": self.city.demo_centre_unit,
            "town": self.city.demo_township_unit,
            "village": self.city.demo_unit,
        }[plan.unit]
        designated = {"designated_committee_id": unit.committee.pk} if plan.unit != "hub" else {}
        data = self.data(plan.channel, plan.dispute, mode=plan.mode, procedure=plan.procedure, **designated)
        at = self.moment(plan.ago)
        data.sent_at = at
        referral = R.receive_referral(data, institution=institution, user=sender, at=at)
        if plan.target == ReferralStatus.PENDING:
            return referral
        if plan.target == ReferralStatus.RETURNED:
            return R.return_unanswered(referral, at=working_time_on(referral.accept_by + timedelta(days=1), self.rng))
        director = unit.director
        if plan.target == ReferralStatus.DECLINED:
            reason = "纠纷涉及土地承包经营权确权，属于政府职能部门处理事项，不属于人民调解范围"
            return R.decline_referral(referral, director, reason, at=self.later(at, 2, 30))
        at = self.later(at, 2, 20)
        case = R.accept_referral(referral, director, at=at)
        walker = Walker(case, Cast(director, unit.mediators[0] if unit.mediators else director), at, self.rng)
        walker.working_hours = True
        walker.step("assign")
        R.record_contact(referral, walker.cast.mediator, ContactResult.CONTACTED, "电话联系对方当事人，同意调解",
                         at=walker.tick(1, 20))  # fmt: skip
        if plan.channel in (Channel.POLICE, Channel.HOTLINE, Channel.PETITION):
            text = "已受理并安排调解员调解，双方已到场，调解进行中"
            R.reply_to_channel(referral, walker.cast.mediator, text, at=walker.tick(0.5, 6))
        if plan.target == ReferralStatus.ACCEPTED:
            walker.step("investigate")
        elif plan.target == ReferralStatus.SUCCEEDED:
            walker.step("session")
            walker.step("written_now")
        elif plan.target == ReferralStatus.FAILED:
            walker.step("session")
            walker.step("terminate")
            R.file_failure_report(
                Referral.objects.get(pk=referral.pk),
                walker.cast.mediator,
                ground=CourtTermination.DIFFERENCES,
                course="受理后组织双方调解两次，释法说理，提出分期赔偿方案。",
                reason="双方对赔偿数额分歧较大，被告只同意赔偿三成，原告坚持全额赔偿。",
                cost_conduct="无",
                other="被告表示愿意在诉讼中接受法院调解。",
                undisputed_facts="双方对事故发生经过及原告的医疗费票据无异议。",
                materials_returned="起诉状及证据材料已随本报告退回。",
                at=walker.tick(2, 24),
            )
        if walker.at >= self.end:
            raise TooLate(f"demo referral walk ended at {walker.at:%Y-%m-%d %H:%M}, after --today")
        return Referral.objects.get(pk=referral.pk)


@dataclass
class Plan:
    channel: str
    target: str  # ReferralStatus
    unit: str  # "hub" (the 矛调中心 of the demo county: no designation), "town" or "village" (designated)
    ago: int  # received this many working days before --today
    dispute: str = DT.NEIGHBOR
    mode: str = ""
    procedure: str = ""


S = ReferralStatus
PLANS = [
    # Waiting at the 矛调中心's one window, to triage and dispatch.
    Plan(Channel.COURT, S.PENDING, "hub", 1, DT.CONTRACT, CR.WEIPAI),
    Plan(Channel.POLICE, S.PENDING, "hub", 1, DT.DAMAGE_COMPENSATION),
    Plan(Channel.HOTLINE, S.PENDING, "hub", 2, DT.PROPERTY_MGMT),
    # Designated: waiting for the demo village's director (`director`) to accept or decline.
    Plan(Channel.COURT, S.PENDING, "village", 1, DT.NEIGHBOR, CR.WEIPAI),
    # In mediation, with the other party reached; the channels' replies given.
    Plan(Channel.COURT, S.ACCEPTED, "hub", 6, DT.ROAD_TRAFFIC, CR.WEITUO, Procedure.ORDINARY),
    Plan(Channel.PETITION, S.ACCEPTED, "town", 8, DT.HOUSING_HOMESTEAD),
    Plan(Channel.POLICE, S.ACCEPTED, "village", 4, DT.NEIGHBOR),
    # Concluded: an agreement (with its PDF), and a failure report with the court's ground.
    Plan(Channel.COURT, S.SUCCEEDED, "village", 15, DT.NEIGHBOR, CR.WEIPAI),
    Plan(Channel.COURT, S.SUCCEEDED, "hub", 18, DT.CONTRACT, CR.WEIPAI),
    Plan(Channel.COURT, S.FAILED, "hub", 20, DT.DAMAGE_COMPENSATION, CR.WEIPAI),
    # Declined with reasons; returned automatically after 3 working days of silence.
    Plan(Channel.COURT, S.DECLINED, "town", 10, DT.FOREST_LAND, CR.WEIPAI),
    Plan(Channel.COURT, S.RETURNED, "town", 9, DT.CONTRACT, CR.WEIPAI),
]


def seed_referrals(city: D.City, end: datetime, *, seed: int, stdout) -> dict:
    """Seed the demo's 多元化解 (see the module docstring); returns the sandbox court's credentials."""
    seeder = ReferralSeeder(city, end, seed, stdout)
    with transaction.atomic():
        counties = seeder.organisations()
        liaisons = seeder.accounts(counties[D.DEMO_COUNTY])
    made = []
    for plan in PLANS:
        # The demo's history happened in the past: its notices are there, but its SMS are not sent now. A walk that
        # would run past --today is rolled back and made again a working day earlier.
        for attempt in range(15):
            try:
                with transaction.atomic(), no_sms_for_past_events():
                    made.append(seeder.make(replace(plan, ago=plan.ago + attempt), counties, liaisons))
                break
            except TooLate:
                continue
        else:
            raise RuntimeError(f"demo referral {plan} does not fit before --today")
    with transaction.atomic():
        credentials = seeder.sandbox(counties[D.DEMO_COUNTY])
    path = credentials_file()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(credentials, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)
    out = stdout.write
    hubs = "，".join(c.hub.name for c in counties.values())
    out(f"\n多元化解：矛调中心 {len(counties)} 个（{hubs}），对接机构 {Institution.objects.count()} 个")
    by_status = {}
    for r in made:
        by_status[r.get_status_display()] = by_status.get(r.get_status_display(), 0) + 1
    out("演示移送 " + "，".join(f"{k} {v}" for k, v in by_status.items()))
    for username in REFERRAL_ACCOUNTS:
        user = User.objects.get(username=username)
        scope = user.committee or user.institution
        out(f"  {username:<9} {user.get_role_display():<10} {user.full_name:<4}  {scope}")
    shown = path if path is not None else "（测试中不写文件）"
    out(f"沙箱法院接口客户端 {credentials['client_id']}，凭证已写入 {shown}")
    return credentials

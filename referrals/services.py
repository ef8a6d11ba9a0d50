"""The one door for every change of a referral (as cases.actions is for cases): each function is one transaction,
checks who may act, writes the append-only ReferralEvent, keeps the referral's clocks (referrals.clocks), and emits
what the institution must hear of as a webhook from the outbox (api.webhooks.emit). Pages, the API, the hub, the
timers and the demo call these functions and nothing else.

Who acts: `user` is a person (a committee member, a hub member, a supervisor, a liaison); `client` is an
institution's API client (api.ApiClient); both None is the system (a timer). Refusals raise
cases.actions.ActionRefused with a Chinese message (and the field it concerns, if any).

Contract (issue 11 skeleton; h-core implements):
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from accounts.models import User
from cases.models import Case
from referrals.models import Institution, Referral


@dataclass
class ReferralPartyData:
    side: str  # cases.enums.PartySide
    name: str
    phone: str = ""
    service_address: str = ""
    address: str = ""
    party_type: str = "NATURAL_PERSON"
    id_number: str = ""
    consented: bool = False
    consent_how: str = ""


@dataclass
class ReferralData:
    external_no: str
    brief_facts: str
    claims: str
    parties: list[ReferralPartyData] = field(default_factory=list)
    referral_type: str = ""  # WEIPAI / WEITUO / YAOQING for courts
    procedure: str = ""  # ORDINARY / SIMPLE for 委托
    handler_name: str = ""
    handler_phone: str = ""
    dispute_type: str = ""
    cause: str = ""
    place: str = ""
    occurred_on: date | None = None
    amount_involved: Decimal = Decimal("0")
    consent_note: str = ""
    designated_committee_id: int | None = None
    designated_mediator_id: int | None = None
    chosen_by: str = ""
    sent_at: datetime | None = None


def receive_referral(
    data: ReferralData, *, institution: Institution, user: User | None = None, client=None, at: datetime | None = None
) -> Referral:
    """Record a referral sent by `institution` (through its liaison `user` or its API `client`): validates the
    payload (ActionRefused naming the field), routes it to the designated committee or else the institution's
    default receiver (its 矛调中心), starts the accept-by clock (3 working days) and the channel's clock, notifies
    the receiver, emits referral.received."""
    raise NotImplementedError


def accept_referral(
    referral: Referral, user: User, *, at: datetime | None = None, into_case: Case | None = None
) -> Case:
    """The receiving committee accepts (在线调解规则 art. 12): registers and accepts a case (cases.actions) with the
    referral's parties, source and court data, or joins `into_case` (a duplicate, §5); starts the contact clock (3
    working days) and the mediation clock (30 / 15 / 7 days from acceptance); emits referral.accepted."""
    raise NotImplementedError


def decline_referral(referral: Referral, user: User, reason: str, *, at: datetime | None = None) -> Referral:
    """Decline with written reasons (outside the statutory scope or the industry, outside the mediator's speciality,
    other unsuitability); emits referral.declined."""
    raise NotImplementedError


def return_unanswered(referral: Referral, at: datetime) -> Referral:
    """The system returns a referral nobody accepted or declined by accept_by; emits referral.returned."""
    raise NotImplementedError


def withdraw_referral(
    referral: Referral, *, user: User | None = None, client=None, reason: str = "", at: datetime | None = None
) -> Referral:
    """The institution withdraws a referral not yet accepted; emits referral.withdrawn."""
    raise NotImplementedError


def record_contact(referral: Referral, user: User, result: str, note: str = "", *, at: datetime | None = None):
    """The other party contacted (CONTACTED), unreachable or refusing (art. 15): the last two end the referral's
    mediation (the case is terminated with the matching ground); emits referral.party_contacted / _unreachable /
    _refused."""
    raise NotImplementedError


def reply_to_channel(referral: Referral, user: User, text: str, *, at: datetime | None = None) -> Referral:
    """Feedback to the institution (police 24 h, 12345 3/13 working days, 信访 handling): satisfies the channel
    clock; emits referral.replied."""
    raise NotImplementedError


def file_failure_report(
    referral: Referral,
    user: User,
    *,
    ground: str,
    course: str,
    reason: str,
    cost_conduct: str = "",
    other: str = "",
    undisputed_facts: str = "",
    materials_returned: str = "",
    at: datetime | None = None,
) -> Referral:
    """The failure report of art. 21 (four parts), the ground of art. 25, the undisputed facts, the materials
    returned: concludes a referral whose case ended without agreement; emits referral.concluded."""
    raise NotImplementedError


def add_attachment(
    referral: Referral, upload, title: str, *, user: User | None = None, client=None, at: datetime | None = None
):
    """A file sent with or after the referral (content-sniffed, size-checked, stored privately)."""
    raise NotImplementedError


def case_event_recorded(case: Case, event) -> None:
    """Called by cases.actions.base.record for every case event, inside its transaction: when the case carries
    referrals, what the institutions must hear of (extended, paused/resumed, agreement effective → concluded with
    the agreement, termination → awaiting the failure report, judicial confirmation requested) becomes their
    referral events and webhooks. Must be cheap when the case has no referral (one indexed query at most)."""
    return None

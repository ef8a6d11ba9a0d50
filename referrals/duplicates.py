"""Probable duplicates (issue 11 §5, "one dispute, one case"): the same quarrel arriving by 110, 12345 and a walk-in.

A *subject* — a case still in intake, or a referral nobody has accepted yet — is compared with the open cases and
the pending referrals of the same county. A pair is a probable duplicate when at least one party is the same (the
same phone, or the same name) and the score of what else agrees reaches `min_score`: the same place (the same
village or community, the place the referral names, the parties' addresses), and close dates (registered or
received within `window_days`). Each pair carries its reasons in Chinese ("同一当事人电话", "同一发生地",
"相隔2天"). The weights and the window are configuration (data/duplicate_rules.json).

Merging is not decided here: a case in intake is merged into the case that goes on by
cases.actions.joint.do_merge_case; a pending referral joins a case through
referrals.services.accept_referral(referral, user, into_case=case).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case, Party
from referrals.enums import ReferralStatus
from referrals.models import Referral, ReferralParty

RULES_FILE = Path(settings.BASE_DIR) / "data" / "duplicate_rules.json"
SUBJECT_LIMIT = 300  # subjects examined for one list page (the most recent first)


@dataclass(frozen=True)
class Rules:
    window_days: int
    min_score: int
    points: dict[str, int]
    place_similarity: float


@lru_cache(maxsize=1)
def rules() -> Rules:
    with RULES_FILE.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return Rules(
        window_days=int(raw["window_days"]),
        min_score=int(raw["min_score"]),
        points={k: int(v) for k, v in raw["points"].items()},
        place_similarity=float(raw["place_similarity"]),
    )


def county_of(division_code: str) -> str:
    return division_code[:6]


def normalise_phone(phone: str) -> str:
    """The digits of a phone number, without a +86 / 0086 prefix: 139-0000-0001 and +86 13900000001 agree."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _name(name: str) -> str:
    return re.sub(r"\s+", "", name or "")


@dataclass
class Item:
    """What the comparison needs of a case or a referral, read once."""

    kind: str  # "case" or "referral"
    obj: Case | Referral
    county: str
    division_code: str
    at: datetime
    phones: set[str]
    names_by_side: dict[str, set[str]]
    places: list[str]
    place_name: str  # the village or community of a case's committee ("" for a referral)

    @property
    def names(self) -> set[str]:
        return set().union(*self.names_by_side.values()) if self.names_by_side else set()

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.obj.pk)


def _parties_item(kind, obj, county, division_code, at, parties, places, place_name) -> Item:
    phones: set[str] = set()
    names: dict[str, set[str]] = {}
    for p in parties:
        if p.phone and len(normalise_phone(p.phone)) >= 7:
            phones.add(normalise_phone(p.phone))
        if _name(p.name):
            names.setdefault(p.side, set()).add(_name(p.name))
        if p.address:
            places.append(p.address)
    return Item(kind, obj, county, division_code, at, phones, names, [x for x in places if x], place_name)


def case_item(case: Case) -> Item:
    division = case.committee.division
    return _parties_item(
        "case",
        case,
        county_of(case.division_code),
        case.division_code,
        case.registered_at,
        list(case.parties.all()),
        [],
        division.name if division.level >= 5 else "",
    )


def referral_item(referral: Referral) -> Item:
    return _parties_item(
        "referral",
        referral,
        county_of(referral.division_code),
        referral.division_code,
        referral.received_at,
        list(referral.parties.all()),
        [referral.place] if referral.place else [],
        "",
    )


def _similar(a: str, b: str, threshold: float) -> bool:
    a, b = _name(a), _name(b)
    if len(a) < 2 or len(b) < 2:
        return False
    if a in b or b in a:
        return True
    return SequenceMatcher(None, a, b).ratio() >= threshold


def same_place(a: Item, b: Item) -> str | None:
    """The place both name, for the reason ("桂花村"), or None."""
    r = rules()
    if a.kind == b.kind == "case" and a.division_code == b.division_code and len(a.division_code) >= 12:
        return a.place_name or "同一村（社区）"
    for x, y in ((a, b), (b, a)):
        if x.place_name and any(x.place_name in text for text in y.places):
            return x.place_name
    for pa in a.places:
        for pb in b.places:
            if _similar(pa, pb, r.place_similarity):
                return pa if len(pa) <= len(pb) else pb
    return None


@dataclass
class Match:
    """A probable duplicate of a subject: the other case or referral, its score and the reasons, most telling
    first."""

    other: Item
    score: int
    reasons: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.other.kind

    @property
    def obj(self):
        return self.other.obj


def compare(a: Item, b: Item) -> Match | None:
    """Score a pair; None unless at least one party is the same and the score reaches min_score."""
    r = rules()
    pts = r.points
    score, reasons = 0, []
    if a.phones & b.phones:
        score += pts["phone"]
        reasons.append("同一当事人电话")
    common = a.names & b.names
    if common:
        sides_a = [s for s in a.names_by_side.values()]
        sides_b = [s for s in b.names_by_side.values()]
        both = len(sides_a) >= 2 and all(any(sa & sb for sb in sides_b) for sa in sides_a)
        if both:
            score += pts["both_names"]
            reasons.append("双方当事人姓名相同")
        else:
            score += pts["name"]
            reasons.append(f"同一当事人姓名（{'、'.join(sorted(common))}）")
    if not reasons:
        return None  # no party in common: never a duplicate, whatever else agrees
    place = same_place(a, b)
    if place:
        score += pts["place"]
        reasons.append(f"同一发生地（{place}）" if place not in ("同一村（社区）",) else "同一发生地")
    days = abs((timezone.localdate(a.at) - timezone.localdate(b.at)).days)
    if days <= r.window_days:
        span = max(r.window_days, 1)
        score += round(pts["date_max"] - (pts["date_max"] - pts["date_min"]) * days / span)
        reasons.append("同一天" if days == 0 else f"相隔{days}天")
    if score < r.min_score:
        return None
    return Match(b, score, reasons)


# --- candidates -------------------------------------------------------------------------------------------------


def _target_states():
    from cases.actions.joint import MERGE_TARGET_STATES

    return MERGE_TARGET_STATES


def _digits(column: str):
    """The phone column without the separators people type (spaces, hyphens) and a +86 prefix, in SQL."""
    expr = F(column)
    for sep in (" ", "-", "+86"):
        expr = Replace(expr, Value(sep), Value(""))
    return expr


def _parties_matching(model, item: Item):
    """Parties (cases.Party or ReferralParty) sharing a phone (compared on its digits) or a name with the item."""
    q = Q(pk__in=[])
    if item.phones:
        q |= Q(phone_digits__in=item.phones)
    if item.names:
        q |= Q(name__in=item.names)
    return model.objects.annotate(phone_digits=_digits("phone")).filter(q)


def candidate_cases(item: Item) -> QuerySet[Case]:
    """Open cases of the item's county (not merged, not the item itself) with a party in common."""
    parties = _parties_matching(Party, item).filter(case_id=OuterRef("pk"))
    qs = Case.objects.filter(
        division_code__startswith=item.county, status__in=_target_states(), merged_into__isnull=True
    ).filter(Exists(parties))
    if item.kind == "case":
        qs = qs.exclude(pk=item.obj.pk)
    else:
        qs = qs.exclude(pk=item.obj.case_id) if item.obj.case_id else qs
    return qs.select_related("committee", "committee__division").prefetch_related("parties")


def candidate_referrals(item: Item) -> QuerySet[Referral]:
    """Pending referrals of the item's county (not the item itself) with a party in common."""
    parties = _parties_matching(ReferralParty, item).filter(referral_id=OuterRef("pk"))
    qs = Referral.objects.filter(division_code__startswith=item.county, status=ReferralStatus.PENDING).filter(
        Exists(parties)
    )
    if item.kind == "referral":
        qs = qs.exclude(pk=item.obj.pk)
    return qs.select_related("institution", "receiver").prefetch_related("parties")


def matches_of(item: Item) -> list[Match]:
    """Every probable duplicate of the item in its county, best first."""
    found = []
    for case in candidate_cases(item):
        m = compare(item, case_item(case))
        if m:
            found.append(m)
    for referral in candidate_referrals(item):
        m = compare(item, referral_item(referral))
        if m:
            found.append(m)
    found.sort(key=lambda m: (-m.score, m.other.at))
    return found


def duplicates_of_case(case: Case) -> list[Match]:
    """Probable duplicates of a case still in intake (none for a case in any other state)."""
    from cases.enums import CaseStatus

    if case.status != CaseStatus.INTAKE:
        return []
    return matches_of(case_item(case))


def duplicates_of_referral(referral: Referral) -> list[Match]:
    """Probable duplicates of a referral not yet accepted (none otherwise)."""
    if referral.status != ReferralStatus.PENDING:
        return []
    return matches_of(referral_item(referral))


# --- what a user may see and do ---------------------------------------------------------------------------------


def merge_direction(a: Item, b: Item) -> tuple[Item, Item] | None:
    """(what is merged, what it is merged into) for a pair, or None (two referrals; two cases neither in intake):
    a case in intake into the other case (when both are in intake, the later registration into the earlier), a
    pending referral into the case."""
    from cases.enums import CaseStatus

    if a.kind == b.kind == "case":
        intake_a, intake_b = a.obj.status == CaseStatus.INTAKE, b.obj.status == CaseStatus.INTAKE
        if intake_a and intake_b:
            return (a, b) if (a.obj.registered_at, a.obj.pk) >= (b.obj.registered_at, b.obj.pk) else (b, a)
        if intake_a:
            return a, b
        if intake_b:
            return b, a
        return None
    if a.kind == "referral" and b.kind == "case":
        return a, b
    if a.kind == "case" and b.kind == "referral":
        return b, a
    return None


def may_merge_into(user: User, merged: Item, into: Item) -> bool:
    """Whether `user` may merge `merged` into the case `into` from the duplicates pages: a case in intake by the
    director of its committee or a supervisor (the `merge` row), who may also act on `into`
    (cases.actions.joint.may_act_on); a pending referral, by the director of the body that holds it, into one of
    that body's cases (referrals.services.accept_referral with `into_case`)."""
    from cases.actions.joint import may_act_on
    from cases.enums import CaseStatus
    from cases.permissions import relations
    from cases.transitions import Rel
    from referrals.scoping import referrals_visible_to

    if into.kind != "case" or not may_act_on(user, into.obj):
        return False
    if merged.kind == "case":
        if merged.obj.status != CaseStatus.INTAKE or merged.obj.pk == into.obj.pk:
            return False
        return bool(relations(user, merged.obj) & {Rel.DIRECTOR, Rel.SUPERVISOR})
    # As referrals.services.accept_referral: the director of the receiving body, into a case of that body.
    referral = merged.obj
    return (
        referral.status == ReferralStatus.PENDING
        and user.role == Role.DIRECTOR
        and user.committee_id == referral.receiver_id
        and bool(relations(user, into.obj) & {Rel.MEMBER, Rel.DIRECTOR})
        and referrals_visible_to(user).filter(pk=referral.pk).exists()
    )


def may_merge(user: User, a: Item, b: Item) -> bool:
    direction = merge_direction(a, b)
    return direction is not None and may_merge_into(user, *direction)


def _in_scope_case(user: User, case: Case) -> bool:
    from cases.actions.joint import may_act_on
    from cases.scoping import cases_visible_to

    return may_act_on(user, case) or cases_visible_to(user).filter(pk=case.pk).exists()


def visible_matches(user: User, item: Item) -> list[Match]:
    """The item's duplicates that `user` may see (their own cases and referrals, those of the area they supervise,
    or the area of their 矛调中心): nothing of another committee's case is shown to a committee member."""
    from referrals.scoping import referrals_visible_to

    visible_refs = None
    shown = []
    for m in matches_of(item):
        if m.kind == "case":
            if _in_scope_case(user, m.obj):
                shown.append(m)
        else:
            if visible_refs is None:
                visible_refs = set(
                    referrals_visible_to(user).filter(status=ReferralStatus.PENDING).values_list("pk", flat=True)
                )
            if m.obj.pk in visible_refs:
                shown.append(m)
    return shown


@dataclass
class Pair:
    subject: Item
    match: Match
    can_merge: bool


def probable_duplicates(user: User, *, county: str = "") -> list[Pair]:
    """The list page: every case in intake and every pending referral the user sees, with its probable duplicates
    in their scope, each pair once (best score first)."""
    from cases.enums import CaseStatus
    from cases.scoping import cases_visible_to
    from referrals.scoping import referrals_visible_to

    cases = cases_visible_to(user).filter(status=CaseStatus.INTAKE)
    referrals = referrals_visible_to(user).filter(status=ReferralStatus.PENDING)
    if county:
        cases = cases.filter(division_code__startswith=county)
        referrals = referrals.filter(division_code__startswith=county)
    subjects = [
        *(
            case_item(c)
            for c in cases.select_related("committee__division")
            .prefetch_related("parties")
            .order_by("-registered_at")[:SUBJECT_LIMIT]
        ),
        *(referral_item(r) for r in referrals.prefetch_related("parties").order_by("-received_at")[:SUBJECT_LIMIT]),
    ]
    seen: set[frozenset] = set()
    pairs = []
    for subject in subjects:
        for m in visible_matches(user, subject):
            key = frozenset({subject.key, m.other.key})
            if key in seen:
                continue
            seen.add(key)
            pairs.append(Pair(subject, m, may_merge(user, subject, m.other)))
    pairs.sort(key=lambda p: (-p.match.score, -p.subject.at.timestamp()))
    return pairs


def merge_options(user: User, case: Case) -> list[Match]:
    """The probable duplicates of an intake case that `user` may merge it with (the case page's 并案 action)."""
    item = case_item(case)
    return [m for m in visible_matches(user, item) if may_merge(user, item, m.other)]

"""Shared set-up of the messaging tests: two cases (village A with two party accounts, village C), slots in the
future on working days, small real files."""

import io
import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils import timezone
from PIL import Image

from accounts.models import Role, User
from cases import actions as A
from cases.enums import CaseStatus, PartySide
from cases.models import Case, Party
from demo.scenarios import Cast, Walker
from messaging.models import Booking, Slot
from tests.files import clean_pdf
from tests.world import PASSWORD, World, case_data, make_case
from workdays.calendar import is_working_day


@dataclass
class Scene:
    world: World
    case_a: Case
    case_c: Case
    party_b: User  # respondent of case A, with a portal account
    party_c: User  # applicant of case C
    own_a: Party  # party_user's party in case A
    other_a: Party  # party_b's party in case A


def working_day(offset: int = 1) -> date:
    """The `offset`-th working day after today (local time)."""
    d = timezone.localdate()
    n = 0
    while True:
        d += timedelta(days=1)
        if is_working_day(d):
            n += 1
            if n == offset:
                return d


def non_working_day() -> date:
    d = timezone.localdate() + timedelta(days=1)
    while is_working_day(d):
        d += timedelta(days=1)
    return d


def slot_for(user: User, day: date | None = None, hour: int = 9, committee: bool = False) -> Slot:
    return Slot.objects.create(
        committee_id=user.committee_id,
        mediator=None if committee else user.mediator,
        date=day or working_day(),
        start=time(hour, 0),
        end=time(hour, 30),
        mode="IN_PERSON",
        place="村委会调解室",
        published_by=user,
    )


def party_account(username: str, name: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=Role.PARTY, full_name=name)


def build_scene(world: World, status: CaseStatus = CaseStatus.IN_MEDIATION) -> Scene:
    case_a = make_case(world, status)
    party_b = party_account("party_b", "李四")
    other = case_a.parties.get(side=PartySide.RESPONDENT)
    Party.objects.filter(pk=other.pk).update(user=party_b)
    party_c = party_account("party_c", "孙五")
    reg = A.do_register_case(world.mediator_c, world.village_c, case_data(party_c), at=case_a.registered_at)
    case_c = Walker(
        reg, Cast(director=world.director_c, mediator=world.mediator_c), reg.registered_at, random.Random(1)
    ).walk(CaseStatus.IN_MEDIATION)
    return Scene(
        world=world,
        case_a=case_a,
        case_c=case_c,
        party_b=party_b,
        party_c=party_c,
        own_a=case_a.parties.get(user=world.party_user),
        other_a=case_a.parties.get(user=party_b),
    )


def png_bytes(color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    return clean_pdf()


def book(case: Case, party: Party, slot: Slot, user: User) -> Booking:
    return Booking.objects.create(case=case, party=party, slot=slot, requested_slot=slot, booked_by=user)

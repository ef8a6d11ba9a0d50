"""Shared data for the mediator and account administration tests (tests/registry/test_people_*.py)."""

import re
from datetime import date

from django.test import Client

from accounts.models import User
from cases.identity import make_valid_id_number
from registry.models import Mediator

GOOD_PASSWORD = "Xianning#2026qs"
# Who administers what in tests.world: the 司法所 of 温泉街道 its two villages; 咸安区 its county (villages A, B and
# the street committee); 嘉鱼县 village C; the city all of them.
ADMINS = ("sfs_officer", "county_admin", "other_county_admin", "city_admin")
NON_ADMINS = ("director_a", "mediator_a", "court_liaison", "party_user", "outsider")
ALL = ADMINS + NON_ADMINS


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def mediator_of(user: User) -> Mediator:
    return Mediator.objects.get(user=user)


def male_id(n: int = 1) -> str:
    """A checksum-valid ID number of a man (odd sequence digit)."""
    return make_valid_id_number("421202", date(1975, 3, 9), 2 * n + 1)


def mediator_post(**overrides) -> dict:
    data = {
        "name": "吴新",
        "gender": "M",
        "category": "FULL_TIME",
        "role": "MEMBER",
        "term_start": "2026-01-01",
        "term_end": "2028-12-31",
        "phone": "13712345678",
        "id_number": male_id(),
        "education": "大学本科",
        "specialties": "邻里纠纷",
        "qualifications": "岗位培训合格",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def handed_password(html: str) -> str:
    found = re.search(r'id="handover-password">([^<]+)<', html)
    assert found, "the result page shows the password"
    return found.group(1).strip()

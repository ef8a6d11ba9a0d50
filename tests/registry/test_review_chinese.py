"""Review (issue 9 §1, §2): every error the administration forms show is Chinese — garbage in every field of every
form, each error read from the page — and the page keeps what was typed."""

import re

import pytest
from django.urls import reverse

from tests.registry.people_helpers import client_for, mediator_of

GARBAGE = "zzqq"
ERROR = re.compile(r'<div class="(?:errorlist|alert alert-danger[^"]*)" role="alert">(.*?)</div>', re.S)
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _forms(world) -> list[tuple[str, dict]]:
    village_a, mediator = world.village_a, mediator_of(world.mediator_a)
    junk = {
        "name": "",
        "short_name": "",
        "committee_type": GARBAGE,
        "kind": GARBAGE,
        "industry": GARBAGE,
        "employee_count": GARBAGE,
        "established_on": GARBAGE,
        "on": GARBAGE,
        "reason": "",
        "left_on": GARBAGE,
        "left_reason": "",
        "gender": GARBAGE,
        "category": GARBAGE,
        "role": GARBAGE,
        "term_start": GARBAGE,
        "term_end": GARBAGE,
        "phone": GARBAGE,
        "id_number": GARBAGE,
        "username": "",
        "division": GARBAGE,
        "full_name": "",
        "filing_date": GARBAGE,
        "filing_number": "",
        "filing_authority": "",
    }
    return [
        (reverse("console:registry_committee_new"), junk),
        (reverse("console:registry_committee_edit", args=[village_a.pk]), junk),
        (reverse("console:registry_committee_deactivate", args=[village_a.pk]), junk),
        (reverse("console:registry_committee_filing", args=[village_a.pk]), {**junk, "form": "filing"}),
        (reverse("console:registry_committee_filing", args=[village_a.pk]), {**junk, "form": "upload"}),
        (reverse("console:registry_mediator_new", args=[village_a.pk]), junk),
        (reverse("console:registry_mediator_edit", args=[mediator.pk]), junk),
        (reverse("console:registry_mediator_leave", args=[mediator.pk]), junk),
        (reverse("console:registry_staff_account_new"), junk),
        (reverse("console:registry_account_deactivate", args=[world.mediator_a.pk]), junk),
    ]


@pytest.mark.parametrize("index", range(10))
def test_every_form_error_is_chinese(world, index):
    url, data = _forms(world)[index]
    response = client_for(world.county_admin).post(url, data)
    assert response.status_code in (200, 400), url
    html = response.content.decode()
    errors = [re.sub(r"<[^>]+>", "", e).strip() for e in ERROR.findall(html)]
    assert errors, f"{url}: no error shown"
    for error in errors:
        assert not ENGLISH.search(error.replace(GARBAGE, "")), f"{url}: {error}"

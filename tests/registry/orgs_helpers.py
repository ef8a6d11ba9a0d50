"""Shared data for the organisation page tests (issue 9 §1)."""

from django.test import Client

from accounts.models import Role, User
from registry.models import Committee

# Which of the world's committees each persona administers (edit, deactivate, file); everyone else: 404.
EDITS: dict[str, set[str]] = {
    "county_admin": {"village_a", "village_b", "township"},
    "other_county_admin": {"village_c"},
    "city_admin": {"village_a", "village_b", "township", "village_c"},
    "sfs_officer": {"village_a", "village_b"},  # the township's own committee is the county's
}
# Which ones each persona sees on the registry pages (the list and a committee's page).
SEES: dict[str, set[str]] = {
    "county_admin": {"village_a", "village_b", "township"},
    "other_county_admin": {"village_c"},
    "city_admin": {"village_a", "village_b", "township", "village_c"},
    "sfs_officer": {"village_a", "village_b", "township"},
}
ADMINS = tuple(EDITS)
NON_ADMINS = ("director_a", "mediator_a", "mediator_c", "court_liaison", "party_user", "outsider")
COMMITTEES = ("village_a", "village_b", "township", "village_c")


def login(user: User, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def area_fields(user: User, code: str) -> dict[str, str]:
    """The county / township / village selects the committee form shows `user`, set for division `code`."""
    fields = {"county": code[:6] if len(code) >= 6 else "", "township": code[:9] if len(code) >= 9 else ""}
    fields["village"] = code if len(code) == 12 else ""
    if user.role == Role.COUNTY_ADMIN:
        fields.pop("county")
    elif user.role == Role.SFS_OFFICER:
        fields.pop("county")
        fields.pop("township")
    return fields


def committee_post(user: User, code: str, **overrides: object) -> dict[str, object]:
    """A valid new village committee at division `code`, as the form posts it."""
    data: dict[str, object] = {
        "name": "新村人民调解委员会",
        "short_name": "新村",
        "committee_type": "VILLAGE",
        "kind": "STANDARD",
        "industry": "",
        "studio_person": "",
        "host_unit": "",
        "employee_count": "",
        "established_on": "2024-05-01",
        "address": "新村村委会",
        "phone": "0715-1234567",
        **area_fields(user, code),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not False}


def edit_post(user: User, committee: Committee, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": committee.name,
        "short_name": committee.short_name,
        "committee_type": committee.committee_type,
        "kind": committee.kind,
        "industry": committee.industry,
        "studio_person": committee.studio_person,
        "host_unit": committee.host_unit,
        "employee_count": committee.employee_count or "",
        "established_on": committee.established_on.isoformat() if committee.established_on else "",
        "address": committee.address,
        "phone": committee.phone,
        **area_fields(user, committee.division_id),
    }
    for flag in ("is_regional", "is_stationed", "court_invited"):
        if getattr(committee, flag):
            data[flag] = "on"
    data["stationed_at"] = committee.stationed_at
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not False}

"""Garbage into every action form: never a 500, errors in Chinese next to the fields, nothing changed, input kept.

Every action form of cases.views.FORMS is posted on a case in a status where that action is offered to the persona
posting. A valid baseline per form is posted first (test_valid_baseline_is_accepted) so that the garbage tests,
which spoil one thing at a time, prove that the spoilt thing is what the server refuses."""

import random

import pytest
from django import forms

from cases.enums import CaseStatus
from cases.views import FORMS
from tests.bad_input.checks import (
    BAD_DATES,
    BAD_NUMBERS,
    BOUNDARY_DATES,
    BOUNDARY_DATETIMES,
    EMPTY,
    HUGE_INTEGERS,
    assert_refused,
    garbage,
    is_text,
    random_text,
    typed_text,
)
from tests.bad_input.posters import (
    DATE_ACTIONS,
    FK_FIELDS,
    GARBAGE_ACTIONS,
    NO_REQUIRED,
    NUMBER_ACTIONS,
    SETUP,
    TEXT_ONLY,
    Poster,
    live_fields,
    setup_case,
    terms_data,
)
from tests.world import make_case


def test_every_action_is_set_up():
    assert set(SETUP) == set(FORMS)


@pytest.mark.parametrize("action", list(FORMS))
def test_valid_baseline_is_accepted(world, action):
    p = Poster(world, action)
    response = p.post({**EMPTY, **p.valid()})
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


@pytest.mark.parametrize("action", DATE_ACTIONS)
def test_boundary_dates(world, action):
    """9999-12-31 and 0001-01-01 are dates Python holds, but a day after the one or the other in UTC is not: each
    is refused with a message (or, where any date is allowed, accepted), never a 500."""
    fields = Poster(world, action).fields()
    date_fields = [n for n, f in fields.items() if isinstance(f, (forms.DateField, forms.DateTimeField))]
    for name in date_fields:
        values = BOUNDARY_DATETIMES if isinstance(fields[name], forms.DateTimeField) else BOUNDARY_DATES
        for bad in values:
            p = Poster(world, action)  # a fresh case each time: an accepted value moves the case on
            p.refused({**p.valid(), name: bad}, why=f"{action} {name}={bad}")


@pytest.mark.parametrize("action", NUMBER_ACTIONS)
def test_negative_and_non_numeric_amounts(world, action):
    p = Poster(world, action)
    fields = p.fields()
    number_fields = [n for n, f in fields.items() if isinstance(f, forms.IntegerField)]
    for name in number_fields:
        for bad in [*BAD_NUMBERS, *HUGE_INTEGERS]:
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
        bad_values = ["999999", "abc", "-1", "0", *HUGE_INTEGERS]
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

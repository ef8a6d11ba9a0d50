"""The case event history: append-only, exactly one event per state change, and a consistent chain for every status."""

import pytest
from django.db import transaction

from cases.models import CaseEvent
from tests.actions.helpers import S, events
from tests.world import make_case

# --- the event history ------------------------------------------------------------------------------------------


def test_case_event_is_append_only(world):
    case = make_case(world, S.ACCEPTED)
    event = case.events.order_by("id").last()
    before = list(CaseEvent.objects.values().order_by("id"))
    event.note = "篡改"
    attempts = {
        "save": event.save,
        "delete": event.delete,
        "queryset update": lambda: CaseEvent.objects.filter(pk=event.pk).update(note="篡改"),
        "queryset delete": lambda: CaseEvent.objects.filter(case=case).delete(),
        "related update": lambda: case.events.update(note="篡改"),
        "related delete": lambda: case.events.all().delete(),
        "bulk_update": lambda: CaseEvent.objects.bulk_update([event], ["note"]),
        "update_or_create": lambda: CaseEvent.objects.update_or_create(pk=event.pk, defaults={"note": "篡改"}),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionError), transaction.atomic():  # savepoint: bulk_update breaks the transaction
            attempt()
            pytest.fail(f"{name} did not raise")
    assert list(CaseEvent.objects.values().order_by("id")) == before


def test_every_state_change_writes_exactly_one_event_with_actor_and_transition(world):
    case = make_case(world, S.CLOSED)
    m, d = world.mediator_a.pk, world.director_a.pk
    im = S.IN_MEDIATION
    assert events(case) == [
        ("register", "", S.INTAKE, m),
        ("accept", S.INTAKE, S.ACCEPTED, d),
        ("assign", S.ACCEPTED, im, d),
        ("record_session", im, im, m),
        ("draft_agreement", im, im, m),
        ("sign_agreement", im, im, m),
        ("sign_agreement", im, im, m),
        ("sign_agreement", im, im, m),
        ("seal_agreement", im, im, d),
        ("agreement_effective", im, S.AGREEMENT_REACHED, None),
        ("immediate_performance", S.AGREEMENT_REACHED, S.PERFORMED, m),
        ("record_follow_up", S.PERFORMED, S.PERFORMED, m),
        ("close", S.PERFORMED, S.CLOSED, m),
    ]
    times = list(case.events.order_by("id").values_list("at", flat=True))
    assert times == sorted(times)


@pytest.mark.parametrize("status", [s for s in S if s != S.DISPOSED])
def test_event_chain_is_consistent_for_every_status(world, status):
    case = make_case(world, status)
    chain = list(case.events.order_by("id"))
    assert chain[0].from_status == "" and chain[0].to_status == S.INTAKE
    for prev, nxt in zip(chain, chain[1:], strict=False):
        assert nxt.from_status == prev.to_status, (prev.action, nxt.action)
    assert chain[-1].to_status == case.status
    for e in chain:
        assert (e.actor is None) == (e.action in {"agreement_effective", "performance_tracking"}), e.action

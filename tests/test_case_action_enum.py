"""Event names are one enumeration (cases.enums.CaseAction): every row of the transition table, every label and
every event an action writes is a member, and LABELS is derived from it. A new action without a member fails here."""

from cases.enums import CaseAction, CaseStatus
from cases.models import CaseEvent
from cases.transitions import ACTIONS, JC_TABLE, LABELS, TABLE
from tests.world import make_case


def test_every_action_of_the_transition_table_is_a_case_action():
    missing = sorted({r.action for r in TABLE} - set(CaseAction.values))
    assert not missing, f"add these to cases.enums.CaseAction: {missing}"
    assert set(ACTIONS) <= set(CaseAction.values)
    assert set(JC_TABLE) <= set(CaseAction.values)


def test_every_label_is_a_case_action_and_labels_are_derived_from_it():
    missing = sorted(set(LABELS) - set(CaseAction.values))
    assert not missing, f"add these to cases.enums.CaseAction: {missing}"
    assert LABELS == {a.value: a.label for a in CaseAction}
    assert all(type(k) is str and type(v) is str for k, v in LABELS.items())
    assert all(a.label and a.label != a.value for a in CaseAction)


def test_event_action_field_offers_exactly_the_case_actions():
    field = CaseEvent._meta.get_field("action")
    assert list(field.choices) == list(CaseAction.choices)


def test_events_written_by_the_actions_are_case_actions(world):
    make_case(world, CaseStatus.CLOSED)
    written = set(CaseEvent.objects.values_list("action", flat=True))
    assert {"register", "accept", "assign", "close"} <= written
    assert written <= set(CaseAction.values)
    event = CaseEvent.objects.filter(action=CaseAction.CLOSE).get()
    assert event.label == event.get_action_display() == "结案"

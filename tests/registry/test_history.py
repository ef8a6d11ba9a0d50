"""registry.history: a change record holds only what changed, in display form, and never a secret."""

from registry.history import history_of, record_change, snapshot
from registry.models import ChangeAction, ChangeSubject, Mediator


def test_record_change_keeps_only_the_changed_fields_in_display_form(world):
    committee = world.village_a
    before = snapshot(committee)
    committee.phone = "0715-8888888"
    committee.kind = "STUDIO"
    committee.save()
    row = record_change(world.county_admin, committee, ChangeAction.EDIT, before, snapshot(committee))
    assert row.subject == ChangeSubject.COMMITTEE and row.committee_id == committee.pk
    assert row.changes == {"电话": [before["电话"], "0715-8888888"], "组织形式": ["调解委员会", "个人调解工作室"]}
    assert list(history_of(committee)) == [row]


def test_a_mediator_id_number_is_recorded_masked_only(world):
    mediator = Mediator.objects.create(committee=world.village_a, name="王五", gender="M", category="PART_TIME")
    before = snapshot(mediator)
    mediator.set_id_number("42120219800101001X")
    mediator.save()
    row = record_change(world.county_admin, mediator, ChangeAction.EDIT, before, snapshot(mediator))
    text = str(row.changes)
    assert "42120219800101001X" not in text and mediator.id_number_encrypted not in text
    assert row.changes["身份证号码"][1] == mediator.id_number_masked

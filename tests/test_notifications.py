from cases.enums import CaseStatus
from cases.models import Notification
from tests.world import make_case


def test_actions_notify_after_commit_and_the_page_lists_and_marks_read(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(world, CaseStatus.ACCEPTED)
    # The director registered nothing but the party (an account holder) hears of the acceptance.
    notes = Notification.objects.filter(user=world.party_user, case=case)
    assert any("已受理" in n.message and case.case_no in n.message for n in notes)
    # Notifications carry the action's (backdated) time, not the wall clock.
    assert all(n.created_at.year == 2026 and n.created_at.month == 3 for n in notes)
    client.force_login(world.party_user)
    response = client.get("/accounts/notifications/")
    assert response.status_code == 200
    assert "已受理" in response.content.decode()
    # Reading the page marks nothing (issue 10 point 6); the 全部标为已读 button (a POST) does.
    assert Notification.objects.filter(user=world.party_user, read_at__isnull=True).exists()
    assert "全部标为已读" in response.content.decode()
    client.post("/accounts/notifications/read/")
    assert not Notification.objects.filter(user=world.party_user, read_at__isnull=True).exists()


def test_no_notification_is_sent_when_the_action_rolls_back(world, django_capture_on_commit_callbacks):
    from cases.actions import ActionRefused, do_refuse_case

    case = make_case(world, CaseStatus.INTAKE)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            do_refuse_case(case, world.director_a, reason="", routes=[])
        except ActionRefused:
            pass
    assert callbacks == []
    assert Notification.objects.count() == before


def test_recipients_are_the_cases_mediators_director_and_parties_never_the_actor(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(world, CaseStatus.IN_MEDIATION)
    assign_note = "已指派调解员"
    told = set(Notification.objects.filter(case=case, message__startswith=assign_note).values_list("user", flat=True))
    # Assigned by director_a: the presiding mediator and the party hear of it (the party in the words written for
    # a citizen, issue 9 §9); the actor, an unassigned mediator of the same committee, and people of other
    # committees do not.
    assert told == {world.mediator_a.pk}
    party_note = f"{case.committee.name}已为您的案件（{case.case_no}）指派调解员，调解员会与您联系安排调解。"
    told_as_party = set(Notification.objects.filter(case=case, message=party_note).values_list("user", flat=True))
    assert told_as_party == {world.party_user.pk}


def test_a_new_case_is_told_only_to_its_committee_director_and_party(world, django_capture_on_commit_callbacks):
    """Regression: before any mediator is assigned, nobody outside the case may hear of it (names, case number)."""
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(world, CaseStatus.ACCEPTED)
    told = set(Notification.objects.filter(case=case).values_list("user", flat=True))
    assert told == {world.director_a.pk, world.party_user.pk}
    for outsider in (
        world.outsider,
        world.other_county_admin,
        world.court_liaison,
        world.city_admin,
        world.mediator_b,
        world.mediator_c,
        world.sfs_officer,
    ):
        assert not Notification.objects.filter(user=outsider).exists()

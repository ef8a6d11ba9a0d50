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

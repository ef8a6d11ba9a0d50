"""Every persona × every messaging/booking action × a case inside and outside their reach.

Only the case's parties with accounts and its assigned mediators belong to the thread; everyone else —
the committee's director and other members, supervisors, the court, other committees, outsiders — gets a 404,
the same answer as for a case that does not exist."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from messaging.models import Attachment, Booking, BookingStatus, Message
from tests.messaging.helpers import book, build_scene, png_bytes, slot_for
from tests.world import PERSONAS

# Written out by hand: who may do what on case A (village A; party_user is the applicant, mediator_a presides)
# and on case C (village C; mediator_c presides; its applicant party_c is not a persona).
EXPECTED = {
    "A": {
        "read": {"mediator_a", "party_user"},
        "post": {"mediator_a", "party_user"},
        "caucus": {"mediator_a", "party_user"},
        "download": {"mediator_a", "party_user"},
        "booking_page": {"mediator_a", "party_user"},
        "book": {"party_user"},
        "confirm": {"mediator_a"},
    },
    "C": {
        "read": {"mediator_c"},
        "post": {"mediator_c"},
        "caucus": {"mediator_c"},
        "download": {"mediator_c"},
        "booking_page": {"mediator_c"},
        "book": set(),
        "confirm": {"mediator_c"},
    },
}
OK = {"read": 200, "post": 302, "caucus": 302, "download": 200, "booking_page": 200, "book": 302, "confirm": 302}


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_matrix(world, persona, django_capture_on_commit_callbacks):
    scene = build_scene(world)
    user = getattr(world, persona)
    setup = {}
    for key, case, mediator, other_party, other_user, own_target in (
        ("A", scene.case_a, world.mediator_a, scene.other_a, scene.party_b, scene.own_a),
        ("C", scene.case_c, world.mediator_c, case_party(scene.case_c, scene.party_c), scene.party_c, None),
    ):
        msg = Message.objects.create(case=case, sender=mediator, sender_role="调解员", sender_name="x", body="初始")
        att = Attachment.objects.create(
            message=msg, path="messages/none.png", original_name="a.png", content_type="image/png", size=10
        )
        # the attachment must exist on disk for a 200: store a real one
        from cases.uploads import check_upload, store

        f = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
        Attachment.objects.filter(pk=att.pk).update(path=store(f, check_upload(f), f"messages/{case.pk}"))
        confirm_slot = slot_for(mediator, hour=9)
        free_slot = slot_for(mediator, hour=14)
        booking = book(case, other_party, confirm_slot, other_user)
        caucus_to = own_target.pk if own_target else case_party(case, scene.party_c).pk
        setup[key] = (case, att, free_slot, booking, caucus_to)

    client = Client()
    client.force_login(user)
    wrong = []
    for key, (case, att, free_slot, booking, caucus_to) in setup.items():
        for action in OK:
            allowed = persona in EXPECTED[key][action]
            with django_capture_on_commit_callbacks(execute=True):
                status = send(client, action, persona, case, att, free_slot, booking, caucus_to).status_code
            expected = OK[action] if allowed else 404
            if status != expected:
                wrong.append(f"{persona} {action} case {key}: {status} != {expected}")
        # side effects happened exactly for the allowed
        posted = Message.objects.filter(case=case, sender=user, body=f"{persona} 你好").exists()
        caucused = Message.objects.filter(case=case, sender=user, caucus_party_id=caucus_to).exists()
        booked = Booking.objects.filter(case=case, slot=free_slot, booked_by=user).exists()
        booking.refresh_from_db()
        confirmed = booking.status == BookingStatus.CONFIRMED
        for action, happened in (("post", posted), ("caucus", caucused), ("book", booked), ("confirm", confirmed)):
            if happened != (persona in EXPECTED[key][action]):
                wrong.append(f"{persona} {action} case {key}: effect {happened}")
    assert wrong == []


def send(client, action, persona, case, att, free_slot, booking, caucus_to):
    if action == "read":
        return client.get(reverse("messaging:thread", args=[case.pk]))
    if action == "post":
        return client.post(reverse("messaging:post", args=[case.pk]), {"body": f"{persona} 你好"})
    if action == "caucus":
        return client.post(reverse("messaging:post", args=[case.pk]), {"body": f"{persona} 单独", "to": caucus_to})
    if action == "download":
        return client.get(reverse("messaging:attachment", args=[att.pk]))
    if action == "booking_page":
        return client.get(reverse("messaging:booking", args=[case.pk]))
    if action == "book":
        return client.post(reverse("messaging:booking", args=[case.pk]), {"slot": free_slot.pk})
    return client.post(reverse("messaging:booking_action", args=[booking.pk, "confirm"]))


def case_party(case, user):
    return case.parties.get(user=user)


def test_outsider_ids_and_garbage_are_404(world):
    scene = build_scene(world)
    client = Client()
    client.force_login(world.party_user)
    for url in (
        reverse("messaging:thread", args=[999999]),
        reverse("messaging:attachment", args=[999999]),
        reverse("messaging:propose", args=[999999]),
        reverse("messaging:booking", args=[scene.case_c.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # the availability page is for committee staff only
    assert client.get(reverse("messaging:availability")).status_code == 404
    client.force_login(world.county_admin)
    assert client.get(reverse("messaging:availability")).status_code == 404
    client.force_login(world.mediator_a)
    assert client.get(reverse("messaging:availability")).status_code == 200


def test_anonymous_is_sent_to_login(world):
    scene = build_scene(world)
    response = Client().get(reverse("messaging:thread", args=[scene.case_a.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

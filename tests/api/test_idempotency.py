"""Idempotency-Key on every POST (h-api): missing or too long → 400; a replay returns the stored response (marked);
the same key with another body or endpoint → 422; while the first is in flight → 409 (a pre-inserted row, and two
threads); 4xx stored, 5xx not; keys per client; an expired key is used afresh; multipart fingerprints ignore the
boundary.

The service is replaced by a stand-in that writes the referral directly, so these tests do not depend on
referrals.services (the end-to-end POSTs are in test_contract_posts.py)."""

import hashlib
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.models import IdempotencyRecord
from referrals.models import Referral
from tests.api.api_helpers import Api, build_world, get_token, make_client, orm_referral

PATH = "/api/v1/referrals/"


@pytest.fixture
def rworld(db):
    return build_world()


def payload(n: int = 1) -> dict:
    return {
        "external_no": f"（2026）赣0502民诉前调{n}号",
        "referral_type": "WEIPAI",
        "brief_facts": "双方因房屋漏水发生纠纷。",
        "claims": "请求赔偿损失8000元",
        "parties": [{"side": "APPLICANT", "name": "刘一", "phone": "13900001001"}],
    }


class FakeService:
    """Stands in for referrals.services.receive_referral: counts calls, writes a referral, may block or fail."""

    def __init__(self):
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail = False

    def __call__(self, data, *, institution, user=None, client=None, at=None):
        self.calls += 1
        self.entered.set()
        assert self.release.wait(20)
        if self.fail:
            raise RuntimeError("boom")
        return orm_referral(institution, external_no=data.external_no, created_by_client=client)


@pytest.fixture
def service(monkeypatch):
    fake = FakeService()
    monkeypatch.setattr("referrals.services.receive_referral", fake)
    return fake


@pytest.fixture
def court(rworld):
    client, secret = make_client(rworld.court)
    return client, Api(get_token(client, secret))


def raw(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def canonical(body: dict) -> bytes:
    """What the fingerprint is taken of: the JSON with sorted keys and no spaces (a re-serialised body replays)."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_missing_key_is_400_naming_the_header(court, service):
    _client, api = court
    response = api.post(PATH, payload())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "idempotency_key_missing"
    assert "Idempotency-Key" in body["fields"]
    assert service.calls == 0


def test_a_key_longer_than_255_is_400(court, service):
    _client, api = court
    assert api.post(PATH, payload(), key="k" * 255).status_code == 201
    response = api.post(PATH, payload(2), key="k" * 256)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert service.calls == 1


def test_a_replay_returns_the_stored_response_once_processed(court, service):
    _client, api = court
    first = api.post(PATH, payload(), key="abc")
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")
    second = api.post(PATH, payload(), key="abc")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert service.calls == 1
    assert Referral.objects.count() == 1
    record = IdempotencyRecord.objects.get(key="abc")
    assert record.completed_at is not None and record.status_code == 201
    sent = canonical(payload())
    assert record.fingerprint == hashlib.sha256(b"POST\n" + PATH.encode() + b"\n" + sent).hexdigest()


def test_the_same_key_with_another_body_is_422(court, service):
    _client, api = court
    assert api.post(PATH, payload(1), key="abc").status_code == 201
    response = api.post(PATH, payload(2), key="abc")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["fields"]
    assert service.calls == 1


def test_the_same_key_on_another_endpoint_is_422(rworld, court, service):
    _client, api = court
    referral = orm_referral(rworld.court)
    assert api.post(PATH, payload(1), key="abc").status_code == 201
    response = api.post(f"/api/v1/referrals/{referral.pk}/withdraw/", payload(1), key="abc")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_one_client(rworld, court, service):
    _client, api = court
    other, secret = make_client(rworld.court, name="另一个系统")
    assert api.post(PATH, payload(1), key="abc").status_code == 201
    response = Api(get_token(other, secret)).post(PATH, payload(2), key="abc")
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert service.calls == 2


def test_a_key_in_flight_is_409(court, service):
    client, api = court
    body = canonical(payload())
    fp = hashlib.sha256(b"POST\n" + PATH.encode() + b"\n" + body).hexdigest()
    IdempotencyRecord.objects.create(client=client, key="busy", method="POST", path=PATH, fingerprint=fp)
    response = api.post_raw(PATH, body, "application/json", key="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"
    assert service.calls == 0
    # A different body under the busy key is a mismatch, not a conflict.
    assert api.post(PATH, payload(2), key="busy").status_code == 422


def test_validation_errors_are_stored_and_replayed(court, service):
    _client, api = court
    bad = {"external_no": ""}
    first = api.post(PATH, bad, key="bad")
    assert first.status_code == 400 and first.json()["code"] == "invalid"
    second = api.post(PATH, bad, key="bad")
    assert second.status_code == 400 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert service.calls == 0


def test_a_server_error_is_not_stored_and_the_key_may_be_retried(court, service):
    _client, api = court
    service.fail = True
    response = api.post(PATH, payload(), key="retry-me")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert not IdempotencyRecord.objects.filter(key="retry-me").exists()
    service.fail = False
    response = api.post(PATH, payload(), key="retry-me")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert service.calls == 2


def test_an_expired_key_is_used_afresh(court, service):
    _client, api = court
    assert api.post(PATH, payload(1), key="old").status_code == 201
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    response = api.post(PATH, payload(2), key="old")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert service.calls == 2
    assert IdempotencyRecord.objects.filter(key="old").count() == 1


def multipart(boundary: str, content: bytes, title: str = "起诉状") -> bytes:
    lines = [
        f"--{boundary}",
        'Content-Disposition: form-data; name="title"',
        "",
        title,
        f"--{boundary}",
        'Content-Disposition: form-data; name="file"; filename="complaint.pdf"',
        "Content-Type: application/pdf",
        "",
    ]
    return "\r\n".join(lines).encode() + b"\r\n" + content + f"\r\n--{boundary}--\r\n".encode()


def test_a_multipart_replay_with_another_boundary_is_a_replay(rworld, court, monkeypatch):
    from referrals.models import ReferralAttachment

    calls = []

    def fake_add(referral, upload, title, *, user=None, client=None, at=None):
        calls.append(upload.read())
        return ReferralAttachment.objects.create(
            referral=referral,
            title=title,
            stored_path="x",
            original_name=upload.name,
            content_type="application/pdf",
            size=upload.size,
            sha256="0" * 64,
            uploaded_by_client=client,
        )

    monkeypatch.setattr("referrals.services.add_attachment", fake_add)
    _client, api = court
    referral = orm_referral(rworld.court)
    path = f"/api/v1/referrals/{referral.pk}/attachments/"
    pdf = b"%PDF-1.4\n%test\n"
    first = api.post_raw(path, multipart("AAA111", pdf), "multipart/form-data; boundary=AAA111", key="file-1")
    assert first.status_code == 201, first.content
    again = api.post_raw(path, multipart("BBB222", pdf), "multipart/form-data; boundary=BBB222", key="file-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    other = api.post_raw(path, multipart("CCC333", pdf + b"x"), "multipart/form-data; boundary=CCC333", key="file-1")
    assert other.status_code == 422
    assert calls == [pdf]


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_is_409_and_then_a_replay(monkeypatch):
    """Two threads (two connections): the second request with the key arrives while the first is in the service."""
    world = build_world()
    fake = FakeService()
    fake.release.clear()
    monkeypatch.setattr("referrals.services.receive_referral", fake)
    client, secret = make_client(world.court)
    token = get_token(client, secret)
    results = {}

    def first():
        try:
            results["first"] = Api(token).post(PATH, payload(), key="race")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert fake.entered.wait(20)
        second = Api(token).post(PATH, payload(), key="race")
        assert second.status_code == 409
        assert second.json()["code"] == "idempotency_in_flight"
    finally:
        fake.release.set()
        thread.join(30)
    assert results["first"].status_code == 201
    third = Api(token).post(PATH, payload(), key="race")
    assert third.status_code == 201 and third["Idempotent-Replayed"] == "true"
    assert third.json() == results["first"].json()
    assert fake.calls == 1


def test_a_key_whose_request_died_in_flight_is_free_after_ten_minutes(court, service):
    client, api = court
    body = canonical(payload())
    fp = hashlib.sha256(b"POST\n" + PATH.encode() + b"\n" + body).hexdigest()
    IdempotencyRecord.objects.create(
        client=client,
        key="dead",
        method="POST",
        path=PATH,
        fingerprint=fp,
        created_at=timezone.now() - timedelta(minutes=11),
    )
    response = api.post_raw(PATH, body, "application/json", key="dead")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert service.calls == 1


def test_the_same_json_reformatted_is_a_replay(court, service):
    _client, api = court
    assert api.post(PATH, payload(1), key="fmt").status_code == 201
    body = json.dumps(payload(1), ensure_ascii=False, indent=2, sort_keys=True)  # other spacing, other key order
    response = api.http.post(PATH, body, content_type="application/json", **api._headers("fmt"))
    assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "true"
    assert service.calls == 1

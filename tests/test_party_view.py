"""A party sees their own dispute on the case page, not the other side's contacts or the committee's papers."""

from cases.enums import CaseStatus
from tests.world import make_case


def test_party_sees_own_contacts_but_not_the_other_partys_nor_internal_records(world, client):
    case = make_case(world, CaseStatus.PERFORMING)
    client.force_login(world.party_user)
    response = client.get(f"/cases/{case.pk}/", follow=True)
    assert response.redirect_chain == [(f"/portal/cases/{case.pk}/", 302)]  # parties follow cases in the portal
    html = response.content.decode()
    assert "13900000001" in html  # their own phone (张三, the applicant)
    assert "13900000002" not in html  # the respondent's phone
    assert "卷宗目录" not in html and "调查与调解记录" not in html and "录入" not in html
    assert "421***********" not in html  # no identity numbers on the portal, not even masked
    for party in case.parties.all():
        assert party.full_id_number() not in html


def test_mediator_sees_every_partys_contacts_and_the_records(world, client):
    case = make_case(world, CaseStatus.PERFORMING)
    client.force_login(world.mediator_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13900000001" in html and "13900000002" in html
    assert "卷宗目录" in html and "调查与调解记录" in html

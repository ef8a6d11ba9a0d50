"""Similar closed cases (issue 13 §3): closed only, jurisdiction-scoped, same type first, no other party's data."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases import actions as A
from cases.enums import CaseStatus, DisputeType, PartySide
from search.index import anonymise
from search.similar import similar_cases
from tests.world import applicant_id, case_data, make_case

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
FACTS = "两家因宅基地边界和排水沟走向发生争执，被申请人砌墙占用申请人宅基地，双方多次吵闹。"


def parties(a: str, r: str, tail: int):
    return [
        A.PartyData(side=PartySide.APPLICANT, name=a, id_number=applicant_id(tail), phone=f"1370000{tail:04d}",
                    address="桂花村5组"),
        A.PartyData(side=PartySide.RESPONDENT, name=r, id_number=applicant_id(tail + 1),
                    phone=f"1370000{tail + 1:04d}", address="桂花村6组"),
    ]  # fmt: skip


@pytest.fixture
def setup(world):
    closed = make_case(
        world,
        CaseStatus.CLOSED,
        brief_facts=FACTS.replace("两家", "欧阳春与司马秋两家"),
        parties=parties("欧阳春", "司马秋", 11),
    )
    open_case = make_case(world, CaseStatus.IN_MEDIATION, brief_facts=FACTS, parties=parties("钱多多", "孙少少", 21))
    labour = make_case(
        world,
        CaseStatus.CLOSED,
        dispute_type=DisputeType.LABOR_OTHER,
        brief_facts="工地拖欠工资，双方因宅基地边界以外的事情争执。",
        parties=parties("周一", "吴二", 31),
    )
    far = A.do_register_case(
        world.mediator_c,
        world.village_c,
        case_data(None, brief_facts=FACTS, parties=parties("郑甲", "王乙", 41)),
        at=AT,
    )
    current = A.do_register_case(world.mediator_a, world.village_a, case_data(None, brief_facts=FACTS), at=AT)
    return {"closed": closed, "open": open_case, "labour": labour, "far": far, "current": current}


def test_only_closed_visible_cases_same_type_first(world, setup):
    items = similar_cases(world.mediator_a, setup["current"])
    ids = [s.case_id for s in items]
    assert ids[0] == setup["closed"].pk and setup["open"].pk not in ids and setup["current"].pk not in ids
    assert setup["far"].pk not in ids
    assert items[0].same_type and "宅基地" in items[0].shared and "边界" in items[0].shared
    if setup["labour"].pk in ids:
        assert ids.index(setup["labour"].pk) > 0
    assert items[0].duration_days is not None and items[0].duration_days >= 0
    assert items[0].outcome
    # another county's mediator sees none of these
    assert [s.case_id for s in similar_cases(world.mediator_c, setup["far"])] == []


def test_no_other_party_data_in_the_panel(client, world, setup):
    client.force_login(world.mediator_a)
    resp = client.get(reverse("search:similar", args=[setup["current"].pk]))
    body = resp.content.decode()
    assert resp.status_code == 200 and f'data-similar="{setup["closed"].pk}"' in body
    for secret in ("欧阳春", "司马秋", "13700000011", "13700000012", applicant_id(11), "桂花村5组", "周一", "吴二"):
        assert secret not in body
    assert "当事人甲" in body
    # a case the user may not see: 404
    assert client.get(reverse("search:similar", args=[setup["far"].pk])).status_code == 404


def test_the_case_page_has_the_panel(client, world, setup):
    client.force_login(world.mediator_a)
    body = client.get(reverse("cases:detail", args=[setup["current"].pk])).content.decode()
    assert 'id="similar-panel"' in body and reverse("search:similar", args=[setup["current"].pk]) in body


def test_anonymise_terms():
    class P:
        def __init__(self, name, order, address=""):
            self.name, self.order, self.pk, self.address = name, order, order, address
            self.legal_representative = self.guardian_name = ""

    ps = [P("欧阳春", 1), P("司马秋", 2, "桂花村6组")]
    text = "司马秋向欧阳春支付5000元，电话13700000012，身份证421202198005170011，住桂花村6组"
    out = anonymise(text, ps)
    assert out == "当事人乙向当事人甲支付5000元，电话（电话略），身份证（证件号略），住（住址略）"


def test_bm25_ranks_by_the_distinctive_shared_words():
    from search.similar import bm25

    docs = [
        (1, "宅基地 边界 围墙 排水沟"),
        (2, "宅基地 围墙"),
        (3, "工资 拖欠 工地"),
        (4, "宅基地 工资"),
    ]
    ranked = bm25(["宅基地", "排水沟", "围墙"], docs)
    assert [pk for pk, _ in ranked] == [1, 2, 4]  # 3 shares nothing: left out
    assert ranked[0][1] > ranked[1][1] > ranked[2][1] > 0
    assert bm25(["宅基地"], []) == []


@pytest.mark.parametrize("user", ["mediator_a", "county_admin", "city_admin"])
def test_the_pool_is_the_most_recent_closed_cases_of_the_scope(world, setup, monkeypatch, user):
    """At any size only the POOL most recent closed cases of the type are ranked: an older, equally similar case
    drops out when the pool is full; the scope and the closed-only rule hold for every role."""
    import search.similar as S

    newer = make_case(world, CaseStatus.CLOSED, brief_facts=FACTS, parties=parties("钱三", "孙四", 51))
    who = getattr(world, user)
    ids = [s.case_id for s in similar_cases(who, setup["current"])]
    assert ids[:2] == [newer.pk, setup["closed"].pk] or ids[:2] == [setup["closed"].pk, newer.pk]
    monkeypatch.setattr(S, "POOL", 1)
    ids = [s.case_id for s in similar_cases(who, setup["current"])]
    assert ids[0] == newer.pk and setup["closed"].pk not in ids and setup["open"].pk not in ids
    assert setup["far"].pk not in ids

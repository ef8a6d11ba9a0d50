"""Full-text search (issue 13 §1): segmented index, two-character words, highlight, jurisdiction, index in step."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from cases import actions as A
from cases.enums import CaseSource, CaseStatus, CourtReferralType, DisputeType, RecordKind
from cases.listing import CaseFilterForm, filter_cases
from cases.models import Case
from cases.scoping import cases_visible_to
from search.highlight import highlight
from search.index import reindex
from search.models import SearchDoc
from search.query import search_cases
from tests.world import case_data, make_case

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def register(world, committee=None, mediator=None, **overrides):
    return A.do_register_case(
        mediator or world.mediator_a, committee or world.village_a, case_data(None, **overrides), at=AT
    )


def hit_ids(user, q):
    return [h.case.pk for h in search_cases(user, q).hits]


@pytest.fixture
def cases(world):
    wage = register(
        world,
        dispute_type=DisputeType.LABOR_MIGRANT_WAGES,
        brief_facts="申请人在被申请人的工地打工三个月，被拖欠工资一万二千元，多次催要未果。",
        claims="请求支付拖欠的工资12000元",
    )
    estate = register(
        world,
        dispute_type=DisputeType.PROPERTY_MGMT,
        brief_facts="业主认为物业公司未尽维修义务，拒交物业费，双方发生争执。",
        claims="请求物业公司修复漏水的屋顶",
    )
    land = register(
        world,
        brief_facts="两家宅基地边界不清，被申请人砌墙占用申请人宅基地约半米。",
        claims="请求确认宅基地边界并拆除围墙",
    )
    other = register(
        world,
        committee=world.village_c,
        mediator=world.mediator_c,
        brief_facts="嘉鱼县两户因宅基地边界和拖欠工资问题发生争执，多次协商不成。",
        claims="请求划清宅基地边界",
    )
    return {"wage": wage, "estate": estate, "land": land, "other": other}


def test_every_case_is_indexed_when_registered(world, cases):
    assert SearchDoc.objects.filter(case__in=cases.values()).count() == 4
    doc = SearchDoc.objects.get(case=cases["wage"])
    assert "工资" in doc.facts.split() and doc.division_code == cases["wage"].division_code
    assert "0001" in doc.phones.split() and "张三" not in doc.facts  # names are out of the text columns


@pytest.mark.parametrize("word,key", [("工资", "wage"), ("物业", "estate")])
def test_two_character_words_are_found(world, cases, word, key):
    assert hit_ids(world.mediator_a, word) == [cases[key].pk]


def test_several_words_are_all_required(world, cases):
    assert hit_ids(world.mediator_a, "宅基地 边界") == [cases["land"].pk]
    assert hit_ids(world.mediator_a, "宅基地 工资") == []
    assert hit_ids(world.county_admin, "宅基地边界") == [cases["land"].pk]


def test_a_phone_tail_a_name_and_a_part_of_a_name(world, cases):
    ids = set(cases[k].pk for k in ("wage", "estate", "land"))
    assert set(hit_ids(world.mediator_a, "0002")) == ids
    assert set(hit_ids(world.mediator_a, "13900000002")) == ids  # a whole phone number: its tail
    assert set(hit_ids(world.mediator_a, "李四")) == ids
    assert set(hit_ids(world.mediator_a, "李四 物业")) == {cases["estate"].pk}
    res = search_cases(world.mediator_a, "李四")
    assert all(h.matched_names for h in res.hits)
    shown = [p for h in res.hits for p in h.parties]
    assert ("李某", "139****0002") in shown and not any("李四" in name for name, _ in shown)


def test_the_highlight_wraps_the_word_and_escapes_the_rest():
    html = highlight("<b>欠</b>工资&奖金，张三13900000001说", ["工资"], ["张三"], window=None)
    assert html == "&lt;b&gt;欠&lt;/b&gt;<mark>工资</mark>&amp;奖金，张某139****0001说"
    assert highlight("张三欠钱", ["张三"], ["张三"]) == ""  # never a mark inside personal data
    assert highlight("没有这个词", ["工资"]) == ""


def test_results_carry_marked_snippets(world, cases):
    res = search_cases(world.mediator_a, "工资")
    snippet = dict(res.hits[0].snippets)
    assert "<mark>工资</mark>" in snippet["纠纷简要情况"] and "<mark>工资</mark>" in snippet["申请事项"]


def test_jurisdiction_matrix(world, cases):
    other = cases["other"]
    # the other county's mediator: neither the hit nor the count
    res = search_cases(world.mediator_a, "宅基地 边界")
    assert [h.case.pk for h in res.hits] == [cases["land"].pk] and res.count == 1
    res = search_cases(world.other_county_admin, "宅基地 边界")
    assert [h.case.pk for h in res.hits] == [other.pk] and res.count == 1
    assert search_cases(world.mediator_c, "物业").count == 0
    assert search_cases(world.other_county_admin, "物业").count == 0
    # supervisors of the county and the city see their area
    assert hit_ids(world.county_admin, "物业") == [cases["estate"].pk]
    assert hit_ids(world.sfs_officer, "物业") == [cases["estate"].pk]
    assert set(hit_ids(world.city_admin, "宅基地 边界")) == {cases["land"].pk, other.pk}
    # a mediator of another committee of the same township does not see village A's cases
    assert search_cases(world.mediator_b, "物业").count == 0
    # a court liaison: only its court's cases
    assert search_cases(world.court_liaison, "宅基地").count == 0
    referred = register(
        world,
        source=CaseSource.REFERRED_COURT,
        court=world.court,
        court_mode=CourtReferralType.WEIPAI,
        court_case_no="（2026）鄂1202民诉前调1号",
        brief_facts="法院委派：双方就宅基地边界问题协商不成。",
    )
    assert hit_ids(world.court_liaison, "宅基地") == [referred.pk]
    assert referred in cases_visible_to(world.court_liaison)
    # parties and other roles: no page
    world.party_user.refresh_from_db()
    assert search_cases(world.party_user, "宅基地").count == 0


def test_the_page_scopes_and_masks(client, world, cases):
    client.force_login(world.other_county_admin)
    resp = client.get(reverse("search:home"), {"q": "物业"})
    assert resp.status_code == 200 and "没有找到" in resp.content.decode()
    client.force_login(world.mediator_a)
    body = client.get(reverse("search:home"), {"q": '物业"><'}).content.decode()
    assert "<mark>物业</mark>" in body and '物业"><' not in body
    assert "李某" in body and "李四" not in body and "13900000002" not in body
    client.force_login(world.party_user)
    assert client.get(reverse("search:home"), {"q": "物业"}).status_code == 403


def test_the_index_follows_edits_and_records(world, cases):
    case = cases["estate"]
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.brief_facts = "业主认为开发商交房延期，要求赔偿违约金。"
        case.save()
    assert hit_ids(world.mediator_a, "违约金") == [case.pk]
    assert case.pk not in hit_ids(world.mediator_a, "维修")
    walked = make_case(world, CaseStatus.IN_MEDIATION, brief_facts="双方因排水沟堵塞发生争执，申请人房屋受雨水浸泡。")
    assert hit_ids(world.mediator_a, "鱼塘") == []
    A.do_record_mediation(
        walked,
        world.mediator_a,
        kind=RecordKind.INVESTIGATION,
        held_at=datetime(2026, 3, 3, 9, 0, tzinfo=TZ),
        place="桂花村委会",
        subject="",
        content="现场查看，被申请人鱼塘的排水口正对申请人房屋。",
    )
    res = search_cases(world.mediator_a, "鱼塘")
    assert [h.case.pk for h in res.hits] == [walked.pk]
    assert "<mark>鱼塘</mark>" in dict(res.hits[0].snippets)["调查记录"]


def test_reindex_rebuilds_after_a_bulk_path(world, cases):
    SearchDoc.objects.all().delete()
    assert hit_ids(world.mediator_a, "工资") == []
    assert reindex(Case.objects.all()) == 4
    assert hit_ids(world.mediator_a, "工资") == [cases["wage"].pk]
    assert reindex(Case.objects.all()) == 4 and SearchDoc.objects.count() == 4  # idempotent


def test_the_case_list_q_filter_uses_the_index(world, cases):
    qs = cases_visible_to(world.mediator_a)
    assert set(filter_cases(qs, CaseFilterForm({"q": "物业"}))) == {cases["estate"]}
    assert set(filter_cases(qs, CaseFilterForm({"q": "李"}))) == {cases["wage"], cases["estate"], cases["land"]}
    no = cases["land"].case_no or ""
    if no:
        assert cases["land"] in set(filter_cases(qs, CaseFilterForm({"q": no})))
    assert list(filter_cases(cases_visible_to(world.mediator_c), CaseFilterForm({"q": "物业"}))) == []


def test_postgresql_falls_back_to_trigrams_for_a_part_of_a_phone_tail(world, cases):
    from django.db import connection

    found = set(hit_ids(world.mediator_a, "000"))  # three digits of the tails 0001/0002: no word matches
    if connection.vendor == "postgresql":
        assert found == {cases[k].pk for k in ("wage", "estate", "land")}  # pg_trgm on the phone tails
    else:
        assert found == set()


@pytest.mark.parametrize("cheap", [10**9, -1], ids=["all-at-once", "bucket-walk"])
def test_postgresql_walks_the_newest_buckets_of_the_scope(world, cases, monkeypatch, cheap):
    """PostgreSQL: the GIN index narrows by scope tag and id bucket (migration 0003); walking the buckets newest
    first, widening, gives exactly the newest matches of the scope — as reading every match would."""
    from django.db import connection

    import search.query as Q

    if connection.vendor != "postgresql":
        pytest.skip("the scope tags are PostgreSQL's (SQLite's FTS5 walks its rowids backwards)")
    more = [register(world, brief_facts=f"第{i}户拖欠工资，多次催要未果。", claims="请求支付工资") for i in range(4)]
    wage = [cases["wage"], *more]
    # spread the documents over buckets 0, 1, 3, 6 and 10 (the tags are regenerated from the new ids)
    with connection.cursor() as cur:
        for case, bucket in zip(wage, [0, 1, 3, 6, 10], strict=True):
            cur.execute("UPDATE search_searchdoc SET id = %s WHERE case_id = %s", [bucket * Q.BUCKET + 4000, case.pk])
        cur.execute("SELECT tags::text FROM search_searchdoc WHERE case_id = %s", [wage[-1].pk])
        tags = cur.fetchone()[0]
    assert "'~b10'" in tags and f"'~d{wage[-1].division_code}'" in tags and f"'~c{world.village_a.pk}'" in tags
    monkeypatch.setattr(Q, "CHEAP", cheap)
    # statistics as if the word were in every document of a big table: one bucket first, then 4, then 16
    monkeypatch.setattr(Q, "pg_stats", lambda: {"rows": 11 * 1.5, "tsv": ({}, 2.0), "tags": ({}, 2.0)})
    newest_first = [c.pk for c in reversed(wage)]
    for user in (world.county_admin, world.city_admin, world.mediator_a, world.sfs_officer):
        assert [r[0] for r in sorted(Q.ranked(user, ("工资",), cap=3), key=lambda r: -r[0])] == newest_first[:3]
    for user in (world.county_admin, world.mediator_a, world.sfs_officer):
        assert {r[0] for r in Q.ranked(user, ("工资",), cap=50)} == set(newest_first)
    assert {r[0] for r in Q.ranked(world.city_admin, ("工资",), cap=50)} == {*newest_first, cases["other"].pk}
    # another county: only its own case, whichever way
    assert [r[0] for r in Q.ranked(world.other_county_admin, ("工资",), cap=3)] == [cases["other"].pk]
    assert [r[0] for r in Q.ranked(world.mediator_c, ("工资",), cap=3)] == [cases["other"].pk]
    assert Q.ranked(world.mediator_b, ("工资",), cap=3) == []  # another committee of the same township

"""卷宗评查: reproducible sampling within the administrator's scope, suggestions from the records, scoring with reasons,
publication per committee, immutability of published results, corrections as new versions."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.actions.base import ActionRefused
from cases.enums import CaseStatus
from cases.models import Party
from registry.models import Division
from supervision.config import checklist_items, grade_for, spot_check_checklist
from supervision.models import PublishedError, SpotCheck, SpotCheckLog, SpotCheckResult, SpotCheckStatus
from supervision.spotcheck import (
    do_correct,
    do_create_spot_check,
    do_publish,
    do_score_case,
    draw_sample,
    population,
    suggestions_for,
)
from tests.supervision.helpers import build, dt

S = CaseStatus
Q1 = (date(2026, 1, 1), date(2026, 4, 30))


@pytest.fixture
def closed(world):
    """Closed cases of the first months of 2026: 5 at 桂花村, 3 at 柏墩村, 2 at 城关村 (the other county)."""
    cases = {"a": [], "b": [], "c": []}
    for i in range(5):
        cases["a"].append(build(world, S.CLOSED if i % 2 else S.ARCHIVED, dt(2026, 1, 5 + 3 * i), seed=i))
    for i in range(3):
        cases["b"].append(build(world, S.CLOSED, dt(2026, 2, 2 + 3 * i), seed=10 + i, committee=world.village_b))
    for i in range(2):
        cases["c"].append(build(world, S.CLOSED, dt(2026, 2, 2 + 3 * i), seed=20 + i, committee=world.village_c))
    build(world, S.IN_MEDIATION, dt(2026, 2, 1), seed=30)  # not closed: never drawn
    return cases


def area(code: str) -> Division:
    return Division.objects.get(code=code)


def create(world, user=None, code="421202", size=4, seed=1234) -> SpotCheck:
    return do_create_spot_check(
        user or world.county_admin,
        title="一季度卷宗评查",
        area=area(code),
        start=Q1[0],
        end=Q1[1],
        size=size,
        seed=seed,
    )


def full_marks(check: SpotCheck, **deductions) -> dict:
    scores = {}
    for item in checklist_items(check.checklist):
        if item.key in deductions:
            scores[item.key] = (Decimal(deductions[item.key]), "扣分理由")
        else:
            scores[item.key] = (item.max_points, "")
    return scores


def test_population_is_the_admins_closed_cases(world, closed):
    county = set(population(world.county_admin, area("421202"), *Q1).values_list("pk", flat=True))
    assert county == {c.pk for c in closed["a"] + closed["b"]}
    city = set(population(world.city_admin, area("4212"), *Q1).values_list("pk", flat=True))
    assert city == {c.pk for c in closed["a"] + closed["b"] + closed["c"]}
    # The county admin asking about the whole city still only gets their own county's cases.
    assert set(population(world.county_admin, area("4212"), *Q1).values_list("pk", flat=True)) == county


def test_sample_is_reproducible_without_repeats(world, closed):
    ids = [c.pk for c in closed["a"] + closed["b"]]
    first = draw_sample(ids, 42, 5)
    assert first == draw_sample(list(reversed(ids)), 42, 5)
    assert len(set(first)) == 5 and set(first) <= set(ids)
    assert sorted(draw_sample(ids, 42, 50)) == sorted(ids)

    check = create(world, seed=42, size=5)
    again = create(world, seed=42, size=5)
    assert check.drawn_ids == again.drawn_ids == draw_sample(ids, 42, 5)
    assert check.population_count == 8 and check.population_digest == again.population_digest
    assert [e.case_id for e in check.entries.order_by("order")] == check.drawn_ids
    assert SpotCheckLog.objects.get(spot_check=check, action="create").detail["seed"] == 42


def test_refusals(world, closed):
    with pytest.raises(ActionRefused, match="本辖区"):
        create(world, world.county_admin, code="421221")
    with pytest.raises(ActionRefused, match="没有已结案"):
        do_create_spot_check(
            world.county_admin, title="x", area=area("421202"), start=date(2025, 1, 1), end=date(2025, 1, 31), size=3
        )
    with pytest.raises(ActionRefused, match="抽取件数"):
        create(world, size=0)


def test_suggestions_tell_what_the_records_show(world, closed):
    check = create(world, size=8)
    target = closed["a"][1]  # CLOSED, not archived
    # No identity on record (issue 9 §3: the "identities checked" tick alone no longer files it).
    Party.objects.filter(case=target).update(id_number_masked="", id_number_encrypted="", id_number_hash="")
    entry = check.entries.get(case=target)
    hints = suggestions_for(entry)
    assert "当事人身份证明" in hints["materials"].text
    assert hints["materials"].points < Decimal(20)
    assert hints["signatures"].points == Decimal(10) and "均已签名" in hints["signatures"].text
    assert hints["seal"].points == Decimal(5)
    assert hints["follow_up"].points == Decimal(5)
    assert hints["forms"] is None and hints["binding"] is None
    sound = suggestions_for(check.entries.get(case=closed["a"][0]))
    assert sound["materials"].points == Decimal(20) and sound["materials"].text == "卷宗必备材料齐全"


def test_score_publish_and_results_per_committee(world, closed):
    check = create(world, size=8)  # every closed case of the county
    entries = {e.case_id: e for e in check.entries.all()}
    a_ids, b_ids = [c.pk for c in closed["a"]], [c.pk for c in closed["b"]]
    # 桂花村: 100, 90, 80, 95, 85 → 90.0 (优秀); 柏墩村: 70, 60, 50 → 60.0 (合格)
    for pk, lost in zip(a_ids, [0, 10, 20, 5, 15], strict=True):
        do_score_case(entries[pk], world.county_admin, scores=full_marks(check, **_lose(lost)), findings="")
    with pytest.raises(ActionRefused, match="3件案件未评分"):
        do_publish(check, world.county_admin)
    for pk, lost in zip(b_ids, [30, 40, 50], strict=True):
        do_score_case(entries[pk], world.county_admin, scores=full_marks(check, **_lose(lost)), findings="须补正")
    do_publish(check, world.county_admin)
    results = {r.committee_id: r for r in SpotCheckResult.objects.filter(spot_check=check)}
    assert (results[world.village_a.pk].average, results[world.village_a.pk].grade) == (Decimal("90.0"), "优秀")
    assert (results[world.village_b.pk].average, results[world.village_b.pk].grade) == (Decimal("60.0"), "合格")
    assert results[world.village_a.pk].cases == 5


def _lose(points: int) -> dict:
    """Deductions adding up to `points`, taken from the first items (acceptance 10, materials 20, forms 10, ...)."""
    out, left = {}, points
    for key, maximum in (("acceptance", 10), ("materials", 20), ("forms", 10), ("facts", 15), ("terms", 15)):
        take = min(left, maximum)
        if take:
            out[key] = maximum - take
        left -= take
    return out


def test_deduction_needs_a_reason_and_points_in_range(world, closed):
    check = create(world, size=1)
    entry = check.entries.get()
    scores = full_marks(check)
    scores["forms"] = (Decimal(5), "  ")
    with pytest.raises(ActionRefused, match="扣分须写明理由"):
        do_score_case(entry, world.county_admin, scores=scores, findings="")
    entry.refresh_from_db()
    assert entry.total is None


def test_published_results_are_immutable_and_corrected_by_a_new_version(world, closed):
    check = create(world, size=2)
    for e in check.entries.all():
        do_score_case(e, world.county_admin, scores=full_marks(check, forms=6), findings="")
    do_publish(check, world.county_admin)
    entry = check.entries.first()
    with pytest.raises(ActionRefused, match="已发布"):
        do_score_case(entry, world.county_admin, scores=full_marks(check), findings="")
    with pytest.raises(PublishedError):
        entry.findings = "偷偷修改"
        entry.save()
    with pytest.raises(PublishedError):
        SpotCheck.objects.get(pk=check.pk).save()
    with pytest.raises(PublishedError):
        SpotCheckResult.objects.filter(spot_check=check).first().save()

    new = do_correct(check, world.city_admin, reason="第1件签名项评分有误")
    assert (new.version, new.supersedes_id, new.status) == (2, check.pk, SpotCheckStatus.DRAFT)
    assert new.drawn_ids == check.drawn_ids and new.seed == check.seed
    copied = new.entries.get(case_id=entry.case_id)
    assert copied.total == Decimal("96.0")
    do_score_case(copied, world.city_admin, scores=full_marks(new), findings="更正")
    do_publish(new, world.city_admin)
    check.refresh_from_db()
    assert check.status == SpotCheckStatus.PUBLISHED
    assert check.entries.get(case_id=entry.case_id).total == Decimal("96.0")
    assert list(check.log.values_list("action", flat=True)) == ["create", "score", "score", "publish", "correct"]
    with pytest.raises(ActionRefused, match="已有更正版本"):
        do_correct(check, world.city_admin, reason="再次更正")


def test_grades_follow_the_configured_thresholds():
    snapshot = spot_check_checklist()
    assert sum(i.max_points for i in checklist_items(snapshot)) == 100
    assert [grade_for(s, snapshot) for s in (95, 90, 89.9, 80, 60, 59.9)] == [
        "优秀",
        "优秀",
        "良好",
        "良好",
        "合格",
        "不合格",
    ]


# Pages ----------------------------------------------------------------------------------------------------------


def test_new_check_form_keeps_input_on_error(client, world, closed):
    client.force_login(world.county_admin)
    url = reverse("supervision:spot_check_new")
    response = client.post(
        url, {"title": "评查", "area": "421202", "start": "2026-04-30", "end": "2026-01-01", "size": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in html and "请填写整数" in html and 'value="评查"' in html
    response = client.post(
        url, {"title": "评查", "area": "421202", "start": "2026-01-01", "end": "2026-04-30", "size": "3"}
    )
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:spot_check", args=[check.pk])
    assert len(check.drawn_ids) == 3


def test_scoring_page_prefills_suggestions_and_shows_errors(client, world, closed):
    check = create(world, size=1)
    entry = check.entries.get()
    client.force_login(world.county_admin)
    url = reverse("supervision:spot_check_score", args=[check.pk, entry.pk])
    html = client.get(url).content.decode()
    assert 'data-suggestion="materials"' in html and "须人工核查卷宗" in html
    data = {f"points_{i.key}": str(i.max_points) for i in checklist_items(check.checklist)}
    data.update({"points_forms": "7", "note_forms": "", "points_binding": "9"})
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "扣分须写明理由" in html and "得分不能超过5分" in html and 'value="7"' in html
    data.update({"note_forms": "未使用规范格式的受理登记表", "points_binding": "4.5", "note_binding": "页码缺失"})
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.total == Decimal("96.5")  # 100 − 3 (forms) − 0.5 (binding)


def test_director_sees_only_their_committees_published_results(client, world, closed):
    check = create(world, size=8)
    for e in check.entries.all():
        do_score_case(e, world.county_admin, scores=full_marks(check, forms=5), findings="文书格式须规范")
    url = reverse("supervision:committee_results")
    client.force_login(world.director_a)
    assert "本委暂无已发布的评查结果" in client.get(url).content.decode()
    do_publish(check, world.county_admin)
    html = client.get(url).content.decode()
    assert "95.0" in html and "优秀" in html and "文书格式须规范" in html
    assert reverse("cases:detail", args=[closed["a"][0].pk]) in html
    assert reverse("cases:detail", args=[closed["b"][0].pk]) not in html

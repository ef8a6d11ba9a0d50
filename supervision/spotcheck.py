"""卷宗评查: draw, score, publish and correct a dossier-quality spot check.

Each `do_*` function is one transaction that writes a SpotCheckLog row. The sample is reproducible: the population
(the administrator's visible closed cases of the area and period, ordered by id) and the seed determine the drawn
ids, and both the seed and the drawn ids are stored. The system suggests, per item, what the records already tell;
the reviewer's points are what counts.
"""

import hashlib
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from cases.actions.base import ActionRefused
from cases.dossier import dossier_items
from cases.enums import AgreementForm, CaseStatus, Outcome, SignerRole
from cases.models import Case
from cases.permissions import current_agreement
from cases.scoping import cases_visible_to
from insights.base import TZ, in_area
from registry.models import Division
from supervision.config import ChecklistItem, checklist_items, entry_rules, grade_for, spot_check_checklist
from supervision.models import SpotCheck, SpotCheckCase, SpotCheckLog, SpotCheckResult, SpotCheckScore, SpotCheckStatus

MAX_SAMPLE = 200
ONE = Decimal("0.1")


def population(user: User, area: Division, start: date, end: date) -> QuerySet[Case]:
    """Closed cases (closed or archived; destroyed dossiers cannot be reviewed) the user may see, in the area,
    closed between `start` and `end` inclusive, in a stable order."""
    start_at = datetime.combine(start, datetime.min.time(), tzinfo=TZ)
    end_at = datetime.combine(end, datetime.min.time(), tzinfo=TZ) + timedelta(days=1)
    return (
        cases_visible_to(user)
        .filter(in_area(area.code), closed_at__gte=start_at, closed_at__lt=end_at)
        .filter(status__in=[CaseStatus.CLOSED, CaseStatus.ARCHIVED])
        .order_by("pk")
    )


def draw_sample(ids: list[int], seed: int, size: int) -> list[int]:
    """Without replacement, so no case is drawn twice; the same ids and seed always give the same sample."""
    return random.Random(seed).sample(sorted(ids), min(size, len(ids)))


def digest(ids: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(ids))).encode()).hexdigest()


def _log(check: SpotCheck, actor: User, action: str, at: datetime, **detail) -> None:
    SpotCheckLog.objects.create(spot_check=check, actor=actor, at=at, action=action, detail=detail)


def do_create_spot_check(
    actor: User,
    *,
    title: str,
    area: Division,
    start: date,
    end: date,
    size: int,
    seed: int | None = None,
    at: datetime | None = None,
) -> SpotCheck:
    """Draw the sample and open the check (DRAFT). Only from cases visible to the actor."""
    at = at or timezone.now()
    if not title.strip():
        raise ActionRefused("请填写评查名称", "title")
    if end < start:
        raise ActionRefused("结束日期不能早于开始日期", "end")
    if not 1 <= size <= MAX_SAMPLE:
        raise ActionRefused(f"抽取件数应为1–{MAX_SAMPLE}件", "size")
    if actor.division_id is None or not area.code.startswith(actor.division_id):
        raise ActionRefused("只能在本辖区内抽查", "area")
    seed = secrets.randbelow(2**31) if seed is None else seed
    with transaction.atomic():
        ids = list(population(actor, area, start, end).values_list("pk", flat=True))
        if not ids:
            raise ActionRefused("该范围和期间内没有已结案的案件可供抽查", "area")
        drawn = draw_sample(ids, seed, size)
        check = SpotCheck.objects.create(
            title=title.strip(),
            area=area,
            period_start=start,
            period_end=end,
            sample_size=size,
            seed=seed,
            population_count=len(ids),
            population_digest=digest(ids),
            drawn_ids=drawn,
            checklist=spot_check_checklist(),
            created_by=actor,
            created_at=at,
        )
        committees = dict(Case.objects.filter(pk__in=drawn).values_list("pk", "committee_id"))
        SpotCheckCase.objects.bulk_create(
            [
                SpotCheckCase(spot_check=check, case_id=pk, committee_id=committees[pk], order=i)
                for i, pk in enumerate(drawn, start=1)
            ]
        )
        _log(check, actor, "create", at, seed=seed, population=len(ids), drawn=drawn)
    return check


# Suggestions ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    points: Decimal
    text: str


def _scaled(maximum: Decimal, share: float) -> Decimal:
    return (maximum * Decimal(str(share))).quantize(ONE)


def _agreement(case: Case):
    """The case's current agreement if it took effect (a draft that never did is no agreement)."""
    agreement = current_agreement(case)
    return agreement if agreement is not None and agreement.effective_at is not None else None


def suggest(case: Case, item: ChecklistItem) -> Suggestion | None:
    """What the records already tell about one checklist item (None: only the reviewer can judge it)."""
    m = item.max_points
    kind = item.suggest
    if kind == "acceptance":
        if case.accepted_at is None:
            return Suggestion(Decimal(0), "无受理记录")
        days = (timezone.localdate(case.accepted_at) - timezone.localdate(case.registered_at)).days
        when = "当日受理" if days == 0 else f"{days}日后受理"
        return Suggestion(m, f"登记于{timezone.localdate(case.registered_at)}，{when}，案号{case.case_no}")
    if kind == "dossier_complete":
        required = [i for i in dossier_items(case) if i.required]
        missing = [i.label for i in required if not i.present]
        if not required:
            return Suggestion(m, "无必备材料要求")
        share = (len(required) - len(missing)) / len(required)
        text = "卷宗必备材料齐全" if not missing else "缺少：" + "、".join(missing)
        return Suggestion(_scaled(m, share), text)
    if kind == "facts":
        n, minimum = len(case.brief_facts.strip()), entry_rules().facts_min_chars
        if n < minimum:
            return Suggestion(_scaled(m, 0.5), f"纠纷简要情况仅{n}字（少于{minimum}字），证据情况须人工核查")
        return Suggestion(m, f"纠纷简要情况{n}字，证据情况须人工核查")
    agreement = _agreement(case)
    if kind in ("agreement_terms", "signatures", "seal") and agreement is None:
        if case.outcome == Outcome.SUCCESS:
            return Suggestion(Decimal(0), "调解成功但无有效协议记录")
        return Suggestion(m, "未达成协议，本项不适用")
    if kind == "agreement_terms":
        terms = list(agreement.terms.all())
        if not terms:
            return Suggestion(Decimal(0), "协议无具体条款")
        no_place = sum(1 for t in terms if not t.place.strip())
        if no_place and agreement.form == AgreementForm.WRITTEN:
            return Suggestion(_scaled(m, 0.8), f"{len(terms)}项条款，其中{no_place}项未写明履行地点")
        return Suggestion(m, f"{len(terms)}项条款，均写明履行方式和期限")
    if kind == "signatures":
        if agreement.form == AgreementForm.ORAL:
            return Suggestion(m, "口头协议，已登记")
        signed = set(
            agreement.valid_signatures().filter(signer_role=SignerRole.PARTY).values_list("party_id", flat=True)
        )
        parties = list(case.parties.all())
        unsigned = [p.name for p in parties if p.pk not in signed]
        mediator = agreement.valid_signatures().filter(signer_role=SignerRole.MEDIATOR).exists()
        share = (len(parties) - len(unsigned)) / len(parties) if parties else 1.0
        notes = ["各方当事人均已签名或按指印" if not unsigned else "未签名：" + "、".join(unsigned)]
        if not mediator:
            notes.append("调解员未签名")
            share *= 0.8
        return Suggestion(_scaled(m, share), "；".join(notes))
    if kind == "seal":
        if agreement.form == AgreementForm.ORAL:
            return Suggestion(m, "口头协议，无需盖章")
        if agreement.valid_signatures().filter(signer_role=SignerRole.SEAL).exists():
            return Suggestion(m, "已加盖调委会印章")
        return Suggestion(Decimal(0), "协议未加盖调委会印章")
    if kind == "follow_up":
        if case.outcome != Outcome.SUCCESS:
            return Suggestion(m, "未达成协议，本项不适用")
        visit = case.follow_ups.order_by("visited_on").first()
        if visit is None:
            return Suggestion(Decimal(0), "达成协议但无回访记录")
        return Suggestion(m, f"已于{visit.visited_on}回访")
    if kind == "timeliness":
        ended = (
            case.events.filter(
                to_status__in=[
                    CaseStatus.AGREEMENT_REACHED,
                    CaseStatus.PERFORMING,
                    CaseStatus.PERFORMED,
                    CaseStatus.TERMINATED,
                ]
            )
            .order_by("at")
            .first()
        )
        if ended is None or case.time_limit_due is None:
            return Suggestion(m, "无调解期限记录")
        end_day = timezone.localdate(ended.at)
        extensions = case.extensions.count()
        ext = f"（延期{extensions}次）" if extensions else ""
        if end_day > case.time_limit_due:
            late = (end_day - case.time_limit_due).days
            return Suggestion(Decimal(0), f"调解期限至{case.time_limit_due}{ext}，{end_day}调结，超期{late}日")
        return Suggestion(m, f"调解期限至{case.time_limit_due}{ext}，{end_day}调结，未超期")
    return None


def suggestions_for(entry: SpotCheckCase) -> dict[str, Suggestion | None]:
    return {item.key: suggest(entry.case, item) for item in checklist_items(entry.spot_check.checklist)}


# Scoring, publication, correction -----------------------------------------------------------------------------


def _locked(check: SpotCheck) -> SpotCheck:
    check = SpotCheck.objects.select_for_update().get(pk=check.pk)
    if check.status == SpotCheckStatus.PUBLISHED:
        raise ActionRefused("该评查已发布，结果不能修改；如需更正请新建更正版本")
    return check


def parse_points(raw: str, maximum: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ActionRefused("请填写数字") from None
    if not value.is_finite() or value < 0 or value > maximum:
        raise ActionRefused(f"得分应在0到{maximum.normalize()}分之间")
    if value != value.quantize(Decimal("0.5")):
        raise ActionRefused("得分以0.5分为单位")
    return value


def do_score_case(
    entry: SpotCheckCase,
    actor: User,
    *,
    scores: dict[str, tuple[Decimal, str]],
    findings: str,
    at: datetime | None = None,
) -> SpotCheckCase:
    """Record the reviewer's points and notes for every item (a deduction needs a reason) and the findings."""
    at = at or timezone.now()
    items = checklist_items(entry.spot_check.checklist)
    for item in items:
        if item.key not in scores:
            raise ActionRefused(f"请为“{item.label}”评分", item.key)
        points, note = scores[item.key]
        if points < item.max_points and not note.strip():
            raise ActionRefused("扣分须写明理由", item.key)
    with transaction.atomic():
        _locked(entry.spot_check)
        entry = SpotCheckCase.objects.select_for_update().select_related("case", "spot_check").get(pk=entry.pk)
        hints = suggestions_for(entry)
        for item in items:
            points, note = scores[item.key]
            hint = hints.get(item.key)
            SpotCheckScore.objects.update_or_create(
                entry=entry,
                item_key=item.key,
                defaults={
                    "points": points,
                    "note": note.strip(),
                    "suggested_points": hint.points if hint else None,
                    "suggestion": hint.text if hint else "",
                },
            )
        entry.total = sum((scores[i.key][0] for i in items), Decimal(0))
        entry.findings = findings.strip()
        entry.reviewed_by, entry.reviewed_at = actor, at
        entry.save()
        _log(
            entry.spot_check,
            actor,
            "score",
            at,
            case=entry.case_id,
            case_no=str(entry.case),
            order=entry.order,
            total=str(entry.total),
        )
    return entry


def committee_averages(check: SpotCheck) -> list[tuple[int, int, Decimal]]:
    """(committee id, cases, average) over the scored cases of a check."""
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for committee_id, total in check.entries.filter(total__isnull=False).values_list("committee_id", "total"):
        totals[committee_id].append(total)
    return [(cid, len(values), (sum(values, Decimal(0)) / len(values)).quantize(ONE)) for cid, values in totals.items()]


def do_publish(check: SpotCheck, actor: User, *, at: datetime | None = None) -> SpotCheck:
    """DRAFT → PUBLISHED once every drawn case is scored; the per-committee results are written once."""
    at = at or timezone.now()
    with transaction.atomic():
        check = _locked(check)
        unscored = check.entries.filter(total__isnull=True).count()
        if unscored:
            raise ActionRefused(f"还有{unscored}件案件未评分，不能发布")
        results = [
            SpotCheckResult(
                spot_check=check,
                committee_id=cid,
                cases=n,
                average=avg,
                grade=grade_for(avg, check.checklist),
            )
            for cid, n, avg in committee_averages(check)
        ]
        SpotCheckResult.objects.bulk_create(results)
        check.status, check.published_by, check.published_at = SpotCheckStatus.PUBLISHED, actor, at
        check.save()
        _log(check, actor, "publish", at, results={str(r.committee_id): str(r.average) for r in results})
    return check


def do_correct(check: SpotCheck, actor: User, *, reason: str, at: datetime | None = None) -> SpotCheck:
    """A published check is never changed: a correction is a new DRAFT version with the same sample and the
    scores copied, which the reviewer then edits and publishes. The superseded version stays as it was."""
    at = at or timezone.now()
    if len(reason.strip()) < 4:
        raise ActionRefused("请写明更正理由", "reason")
    with transaction.atomic():
        old = SpotCheck.objects.select_for_update().get(pk=check.pk)
        if old.status != SpotCheckStatus.PUBLISHED:
            raise ActionRefused("只有已发布的评查才需要更正；评查中的可直接修改")
        if SpotCheck.objects.filter(supersedes=old).exists():
            raise ActionRefused("该版本已有更正版本，请在最新版本上更正")
        new = SpotCheck.objects.create(
            title=old.title,
            area=old.area,
            period_start=old.period_start,
            period_end=old.period_end,
            sample_size=old.sample_size,
            seed=old.seed,
            population_count=old.population_count,
            population_digest=old.population_digest,
            drawn_ids=old.drawn_ids,
            checklist=old.checklist,
            version=old.version + 1,
            supersedes=old,
            correction_reason=reason.strip(),
            created_by=actor,
            created_at=at,
        )
        for entry in old.entries.prefetch_related("scores"):
            copy = SpotCheckCase.objects.create(
                spot_check=new,
                case_id=entry.case_id,
                committee_id=entry.committee_id,
                order=entry.order,
                findings=entry.findings,
                total=entry.total,
                reviewed_by=entry.reviewed_by,
                reviewed_at=entry.reviewed_at,
            )
            SpotCheckScore.objects.bulk_create(
                [
                    SpotCheckScore(
                        entry=copy,
                        item_key=s.item_key,
                        points=s.points,
                        note=s.note,
                        suggested_points=s.suggested_points,
                        suggestion=s.suggestion,
                    )
                    for s in entry.scores.all()
                ]
            )
        _log(new, actor, "correct", at, corrects=old.pk, reason=reason.strip())
        _log(old, actor, "correct", at, corrected_by=new.pk, reason=reason.strip())
    return new


def current_results(committee_id: int) -> QuerySet[SpotCheckResult]:
    """Published results of a committee, newest first (superseded versions included; the page marks them)."""
    return (
        SpotCheckResult.objects.filter(committee_id=committee_id, spot_check__status=SpotCheckStatus.PUBLISHED)
        .select_related("spot_check", "spot_check__area")
        .order_by("-spot_check__published_at", "-spot_check_id")
    )

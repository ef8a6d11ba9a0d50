"""The triage panel's fragments (HTMX) for the four doors and the reclassification, and the city administrator's
page of the model in use.

Every panel endpoint is scoped like the page it sits on: the registration panel answers the committee's members,
the case, referral and finding panels fetch their object through the jurisdiction-scoped functions (404 outside).
Nothing here stores anything: the doors store the suggestion and the decision when the person submits."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accounts.models import COMMITTEE_ROLES, Role
from cases.enums import DisputeType
from cases.scoping import access_case_by_id
from screening.enums import RiskFlag, RiskLevel
from triage import decisions
from triage.enums import Route, Subject
from triage.models import TriageModelVersion, TriageSuggestion


def _amount(value: str | None) -> Decimal | None:
    try:
        amount = Decimal((value or "").strip() or "0")
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and 0 < amount < Decimal("1e12") else None


def _int(value: str | None) -> int | None:
    try:
        n = int((value or "").strip())
    except ValueError:
        return None
    return n if 0 < n < 10_000_000 else None


def _fragment(request: HttpRequest, shown: decisions.Shown | None, adopt: str = "id_dispute_type") -> HttpResponse:
    if not decisions.enabled():
        raise Http404
    return render(request, "triage/_suggestion.html", {"shown": shown, "adopt_target": adopt})


def typed_headcount(data) -> int | None:
    """The parties typed in the form (named ones only, as the registration counts them; empty extra forms not)."""
    total = _int(data.get("parties-TOTAL_FORMS")) or 0
    named = sum(1 for i in range(min(total, 200)) if (data.get(f"parties-{i}-name") or "").strip())
    return named or None


def _typed(request: HttpRequest, division_code: str, headcount: int | None = None) -> decisions.Shown | None:
    """The suggestion for what is typed in the form (brief_facts, claims, amount_involved)."""
    data = request.POST
    text = decisions.case_text(data.get("brief_facts", ""), data.get("claims", ""))
    if len(text.strip()) < 4:
        return None
    if headcount is None:
        headcount = typed_headcount(data)
    return decisions.live(
        text, headcount=headcount, amount_yuan=_amount(data.get("amount_involved")), division_code=division_code
    )


@login_required
@require_http_methods(["POST"])  # the typed text never travels in a URL (access logs, history)
def panel_register(request: HttpRequest) -> HttpResponse:
    """The walk-in registration form's panel: a member of a committee, for what they are typing."""
    user = request.user
    if user.role not in COMMITTEE_ROLES or not user.committee_id:
        raise Http404
    return _fragment(request, _typed(request, user.committee.division_id))


@login_required
@require_http_methods(["POST"])  # the typed text never travels in a URL (access logs, history)
def panel_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """A screening finding being registered as a case: the finding must be one the user may see."""
    from screening.scoping import findings_visible_to

    finding = get_object_or_404(findings_visible_to(request.user), pk=pk)
    return _fragment(request, _typed(request, finding.division_code, headcount=finding.headcount))


@login_required
@require_http_methods(["GET", "POST"])
def panel_case(request: HttpRequest, pk: int) -> HttpResponse:
    """A case's suggestion: the one still waiting for a decision (an online application), else a fresh one from
    the case's facts (acceptance, reclassification). Staff of the case's jurisdiction only."""
    if request.user.role == Role.PARTY:
        raise Http404
    case = access_case_by_id(request.user, pk)
    # ?fresh=1 (the 重新分类 page): a fresh suggestion of the case's facts as they are now, the one do_reclassify
    # records, never a stored one.
    return _fragment(request, case_shown(case, fresh=request.GET.get("fresh") == "1"))


@login_required
@require_http_methods(["GET", "POST"])
def panel_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral being taken in: the referral must be one the user may see."""
    from referrals.scoping import access_referral_by_id

    referral = access_referral_by_id(request.user, pk)
    if request.user.role not in COMMITTEE_ROLES and request.user.role not in (
        Role.SFS_OFFICER,
        Role.COUNTY_ADMIN,
        Role.CITY_ADMIN,
    ):
        raise Http404
    return _fragment(request, referral_shown(referral))


def case_shown(case, *, stored: bool = True, fresh: bool = False) -> decisions.Shown | None:
    """With `fresh`, a fresh suggestion for the case's facts (reclassification). Else the suggestion still waiting
    for a decision (an online application); else, with `stored`, the latest one recorded for the case (a walk-in's,
    with the registrar's decision); else a fresh one. None when the engine fails (logged)."""
    text = decisions.case_text(case.brief_facts, case.claims)
    row = None if fresh else decisions.pending_for_case(case)
    if row is None and stored and not fresh:
        row = case.triage_suggestions.order_by("-created_at", "-pk").first()
    if row is not None:
        return decisions.shown(row, text)
    return decisions.live(
        text, headcount=case.party_count or None, amount_yuan=case.amount_involved, division_code=case.division_code
    )


def referral_shown(referral) -> decisions.Shown:
    text = decisions.case_text(referral.brief_facts, referral.claims)
    return decisions.live(
        text,
        headcount=referral.parties.count() or None,
        amount_yuan=referral.amount_involved,
        division_code=referral.division_code,
    )


# --- the city administrator's page -------------------------------------------------------------------------


FLAG_LABELS = {str(k): str(v) for k, v in RiskFlag.choices}
TYPE_LABELS = {str(k): str(v) for k, v in DisputeType.choices} | {"LABOR": "劳动争议纠纷", "CONSUMER": "消费纠纷"}
ROUTE_LABELS = {str(k): str(v) for k, v in Route.choices}
LEVEL_LABELS = {str(k): str(v) for k, v in RiskLevel.choices}
# The words of the evaluation's keys (triage.evaluate.evaluate, written by manage.py train_triage), and a few
# generic ones for whatever else an evaluation writes. A key not named here is shown as it is.
METRIC_WORDS = {
    "rows": "留出集条数",
    "model_version": "评估的模型版本",
    "dispute_type_15": "纠纷类型（汇总为15类）",
    "dispute_type_18": "纠纷类型（18个代码，含子项）",
    "per_label": "分类别",
    "true": "实际数",
    "predicted": "预测数",
    "timings_ms": "耗时",
    "p50": "每条耗时中位数（毫秒）",
    "p95": "每条耗时95分位（毫秒）",
    "max": "每条耗时最长（毫秒）",
    "train_seconds": "训练耗时（秒）",
    "split": "评估数据",
    "precision": "精确率",
    "recall": "召回率",
    "f1": "F1",
    "support": "样本数",
    "n": "样本数",
    "count": "数量",
    "accuracy": "准确率",
    "macro_f1": "宏平均F1",
    "micro_f1": "微平均F1",
    "weighted_f1": "加权F1",
    "escalation_recall": "升级（红/橙）召回率",
    "escalation_precision": "升级（红/橙）精确率",
    "p50_ms": "耗时中位数（毫秒）",
    "p95_ms": "耗时95分位（毫秒）",
    "load_s": "模型加载（秒）",
    "heldout": "留出集条数",
    "train": "训练集条数",
    "lines": "条数",
    "per_type": "分类型",
    "per_flag": "分风险标签",
    "types": "分类型",
    "flags": "分风险标签",
    "routes": "去向",
    "route": "去向",
    "per_route": "分去向",
    "levels": "风险等级",
    "level": "风险等级",
    "level_confusion": "风险等级混淆矩阵（行：实际；列：预测）",
    "confusion": "混淆矩阵",
    "dispute_type": "纠纷类型",
    "risk_level": "风险等级",
    "risk_flags": "风险标签",
    "escalation": "升级（红色或橙色）",
    "summary": "总体",
    "rolled_up": "按15个全国类型汇总",
}


UNKNOWN = "其他指标"


def label_of(key: object) -> str:
    """A metric key or code in Chinese; a key the tables do not know that has Latin letters (an English word) is
    shown as 其他指标, never as it is."""
    k = str(key)
    for table in (TYPE_LABELS, FLAG_LABELS, ROUTE_LABELS, LEVEL_LABELS, METRIC_WORDS):
        if k in table:
            return table[k]
    return UNKNOWN if re.search(r"[A-Za-z]", k) else k


VALUE_WORDS = {"heldout": "留出集（训练未使用）", "train": "训练集", "all": "全部语料"}


def _cell(value: object) -> str:
    if isinstance(value, str):
        if len(value) > 40:  # a text (an evaluated dispute's description, maybe with names) is never shown
            return "（文本不显示）"
        return VALUE_WORDS.get(value, label_of(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    if value is None:
        return "—"
    return str(value)


def metric_tables(metrics: dict) -> tuple[list[tuple[str, str]], list[dict]]:
    """Whatever keys the evaluation wrote, as readable tables: the scalar figures as (name, value) rows; each nested
    mapping as a table (rows × columns of its inner mappings, or name/value rows); a confusion matrix as a grid."""
    scalars: list[tuple[str, str]] = []
    tables: list[dict] = []

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            inner = list(value.values())
            if inner and all(isinstance(v, dict) for v in inner):
                if all(all(not isinstance(x, dict | list) for x in v.values()) for v in inner):
                    columns = list(dict.fromkeys(c for v in inner for c in v))
                    rows = [(label_of(k), [_cell(v.get(c)) for c in columns]) for k, v in value.items()]
                    tables.append({"title": prefix, "columns": [label_of(c) for c in columns], "rows": rows})
                    return
                for k, v in value.items():
                    walk(f"{prefix} · {label_of(k)}" if prefix else label_of(k), v)
                return
            flat = [(label_of(k), v) for k, v in value.items() if not isinstance(v, dict | list)]
            if flat:
                if prefix:
                    tables.append({"title": prefix, "columns": ["数值"], "rows": [(k, [_cell(v)]) for k, v in flat]})
                else:
                    scalars.extend((k, _cell(v)) for k, v in flat)
            for k, v in value.items():
                if isinstance(v, dict | list):
                    walk(f"{prefix} · {label_of(k)}" if prefix else label_of(k), v)
            return
        if isinstance(value, list):
            # A confusion matrix: {"labels": [...], "matrix": [[...]]} is handled by the dict branch's caller below;
            # a bare list of lists is shown as a grid, anything else as one line.
            if any(isinstance(r, dict) for r in value):
                return  # rows of records (e.g. the misclassified texts with their ids): never on the page
            if value and all(isinstance(r, list) for r in value):
                tables.append(
                    {
                        "title": prefix,
                        "columns": [str(i + 1) for i in range(max(len(r) for r in value))],
                        "rows": [(str(i + 1), [_cell(x) for x in r]) for i, r in enumerate(value)],
                    }
                )
            else:
                scalars.append((prefix, "、".join(label_of(x) for x in value)))
            return
        scalars.append((prefix, _cell(value)))

    for key, value in (metrics or {}).items():
        if isinstance(value, dict) and {"labels", "matrix"} <= set(value):
            labels = [label_of(x) for x in value["labels"]]
            tables.append(
                {
                    "title": f"{label_of(key)}（行：实际；列：预测）",
                    "columns": labels,
                    "rows": [(labels[i], [_cell(x) for x in r]) for i, r in enumerate(value["matrix"])],
                }
            )
            continue
        walk(label_of(key), value)
    return scalars, tables


@login_required
def model_page(request: HttpRequest) -> HttpResponse:
    """The model in use (version, training, corpus, checksum), its evaluation figures, the past versions, and how
    often people kept what it suggested. The city administrator only (404 for anyone else)."""
    if request.user.role != Role.CITY_ADMIN:
        raise Http404
    versions = list(TriageModelVersion.objects.order_by("-trained_at")[:50])
    active = next((v for v in versions if v.active), None)
    scalars, tables = metric_tables(active.metrics if active else {})
    suggestions = TriageSuggestion.objects.filter(division_code__startswith=request.user.division_id or "")
    by_subject = []
    for code, label in Subject.choices:
        rates = decisions.acceptance(suggestions.filter(subject=code))
        rates["label"] = label
        rates["total"] = suggestions.filter(subject=code).count()
        by_subject.append(rates)
    from triage import engine

    try:
        in_use = engine.get().version
    except Exception:  # noqa: BLE001 - the page shows the stored versions even when the engine cannot load
        in_use = ""
    context = {
        "active": active,
        "in_use": in_use,
        "scalars": scalars,
        "tables": tables,
        "versions": versions,
        "overall": decisions.acceptance(suggestions),
        "total": suggestions.count(),
        "by_subject": by_subject,
    }
    return render(request, "triage/model.html", context)

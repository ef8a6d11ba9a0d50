"""Evaluation of the triage engine on labelled rows (the held-out split by default): per-type precision/recall/F1
and macro-F1 (18 codes, and rolled up to the 15 national types), escalation (RED or ORANGE) recall/precision, the
confusion of levels, per-flag recall/precision, route accuracy and per-route figures, and timings."""

from __future__ import annotations

import statistics
import time
from collections import Counter

from triage.corpus import Row

LEVELS = ["RED", "ORANGE", "YELLOW"]


def parent(code: str) -> str:
    from cases.enums import DISPUTE_PARENT

    return str(DISPUTE_PARENT.get(code, code))


def prf(truth: list[str], pred: list[str]) -> dict:
    """Per label: precision, recall, F1, support; and macro-F1 over the labels present in the truth."""
    labels = sorted(set(truth))
    out: dict[str, dict] = {}
    for lab in labels:
        tp = sum(1 for t, p in zip(truth, pred, strict=True) if t == lab and p == lab)
        n_pred = sum(1 for p in pred if p == lab)
        n_true = sum(1 for t in truth if t == lab)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_true if n_true else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = {"precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3), "support": n_true}
    macro = sum(v["f1"] for v in out.values()) / len(out) if out else 0.0
    acc = sum(1 for t, p in zip(truth, pred, strict=True) if t == p) / len(truth) if truth else 0.0
    return {"per_label": out, "macro_f1": round(macro, 3), "accuracy": round(acc, 3)}


def evaluate(engine, rows: list[Row], *, load_seconds: float | None = None) -> dict:
    """Run the engine over `rows` and compute every figure."""
    preds = []
    times: list[float] = []
    for r in rows:
        t0 = time.perf_counter()
        s = engine.suggest(r.text)
        times.append((time.perf_counter() - t0) * 1000)
        preds.append(s)
    truth_t = [r.dispute_type for r in rows]
    pred_t = [s.dispute_type for s in preds]
    types18 = prf(truth_t, pred_t)
    types15 = prf([parent(t) for t in truth_t], [parent(p) for p in pred_t])

    level_rows = [(r, s) for r, s in zip(rows, preds, strict=True) if r.risk_level in LEVELS]
    confusion = {t: dict.fromkeys(LEVELS, 0) for t in LEVELS}
    for r, s in level_rows:
        confusion[r.risk_level][s.risk_level] += 1
    esc_true = sum(1 for r, _ in level_rows if r.risk_level != "YELLOW")
    esc_pred = sum(1 for _, s in level_rows if s.risk_level != "YELLOW")
    esc_tp = sum(1 for r, s in level_rows if r.risk_level != "YELLOW" and s.risk_level != "YELLOW")
    esc_p = esc_tp / esc_pred if esc_pred else 0.0
    esc_r = esc_tp / esc_true if esc_true else 0.0
    levels = prf([r.risk_level for r, _ in level_rows], [s.risk_level for _, s in level_rows])

    from triage.lexicon import FLAG_ORDER

    flags: dict[str, dict] = {}
    for flag in FLAG_ORDER:
        tp = sum(1 for r, s in level_rows if flag in r.risk_flags and flag in s.risk_flags)
        n_true = sum(1 for r, _ in level_rows if flag in r.risk_flags)
        n_pred = sum(1 for _, s in level_rows if flag in s.risk_flags)
        flags[flag] = {
            "recall": round(tp / n_true, 3) if n_true else None,
            "precision": round(tp / n_pred, 3) if n_pred else None,
            "support": n_true,
            "predicted": n_pred,
        }

    route_rows = [(r, s) for r, s in zip(rows, preds, strict=True) if r.route]
    routes = prf([r.route for r, _ in route_rows], [s.route for _, s in route_rows])

    srt = sorted(times)

    def pct(q: float) -> float:
        return round(srt[min(len(srt) - 1, int(q * len(srt)))], 3) if srt else 0.0

    errors = [
        {
            "id": r.id,
            "text": r.text,
            "truth": [r.dispute_type, r.risk_level, r.route],
            "pred": [s.dispute_type, s.risk_level, s.route],
        }
        for r, s in zip(rows, preds, strict=True)
        if (parent(r.dispute_type) != parent(s.dispute_type))
    ]
    return {
        "rows": len(rows),
        "model_version": getattr(engine, "version", ""),
        "dispute_type_15": types15,
        "dispute_type_18": types18,
        "escalation": {
            "recall": round(esc_r, 3),
            "precision": round(esc_p, 3),
            "true": esc_true,
            "predicted": esc_pred,
        },
        "levels": levels,
        "level_confusion": confusion,
        "flags": flags,
        "route": routes,
        "timings_ms": {
            "load_s": round(load_seconds, 3) if load_seconds is not None else None,
            "p50": round(statistics.median(times), 3) if times else 0.0,
            "p95": pct(0.95),
            "max": round(max(times), 3) if times else 0.0,
        },
        "type_errors": errors[:50],
    }


def _row(cells: list[str], widths: list[int]) -> str:
    def w(s: str) -> int:  # CJK characters take two columns
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    return "  ".join(c + " " * max(0, n - w(c)) for c, n in zip(cells, widths, strict=True)).rstrip()


def _table(title: str, block: dict, labels: dict[str, str] | None = None) -> list[str]:
    lines = [title, _row(["类别", "精确率", "召回率", "F1", "样本数"], [34, 8, 8, 8, 6])]
    for lab, v in block["per_label"].items():
        name = f"{lab} {labels.get(lab, '')}" if labels else lab
        lines.append(
            _row(
                [name[:30], f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"])],
                [34, 8, 8, 8, 6],
            )
        )
    lines.append(f"宏平均F1 (macro-F1) = {block['macro_f1']:.3f}    准确率 = {block['accuracy']:.3f}")
    return lines


def format_report(m: dict) -> str:
    from triage.engine import _labels

    lab = _labels()
    type15_labels = dict(lab["type"])
    type15_labels.update({"LABOR": "劳动争议纠纷", "CONSUMER": "消费纠纷"})
    out: list[str] = [f"评估：{m['rows']} 条，模型版本 {m['model_version']}", ""]
    out += _table("纠纷类型（汇总为15类）", m["dispute_type_15"], type15_labels)
    out.append("")
    out += _table("纠纷类型（18个代码）", m["dispute_type_18"], lab["type"])
    out.append("")
    e = m["escalation"]
    out.append(
        f"升级（红色或橙色）：召回率 = {e['recall']:.3f}  精确率 = {e['precision']:.3f}  "
        f"（实际 {e['true']}，预测 {e['predicted']}）"
    )
    out.append("")
    out.append("风险等级混淆矩阵（行 = 实际，列 = 预测）")
    out.append(_row(["", "RED", "ORANGE", "YELLOW"], [8, 8, 8, 8]))
    for t in LEVELS:
        c = m["level_confusion"][t]
        out.append(_row([t, str(c["RED"]), str(c["ORANGE"]), str(c["YELLOW"])], [8, 8, 8, 8]))
    lv = m["levels"]
    out.append(f"等级准确率 = {lv['accuracy']:.3f}  宏平均F1 = {lv['macro_f1']:.3f}")
    out.append("")
    out.append("风险标签")
    out.append(_row(["标签", "召回率", "精确率", "实际", "预测"], [40, 8, 8, 6, 6]))
    for flag, v in m["flags"].items():
        rec = "—" if v["recall"] is None else f"{v['recall']:.3f}"
        prec = "—" if v["precision"] is None else f"{v['precision']:.3f}"
        name = f"{flag} {lab['flag'].get(flag, '')}"
        out.append(_row([name[:38], rec, prec, str(v["support"]), str(v["predicted"])], [40, 8, 8, 6, 6]))
    out.append("")
    r = m["route"]
    out += _table("去向", r, lab["route"])
    out.append(f"去向准确率 = {r['accuracy']:.3f}")
    out.append("")
    t = m["timings_ms"]
    load = "—" if t["load_s"] is None else f"{t['load_s']:.3f} 秒"
    out.append(
        f"耗时：模型加载 {load}；每条 p50 = {t['p50']:.2f} 毫秒，p95 = {t['p95']:.2f} 毫秒，最长 {t['max']:.2f} 毫秒"
    )
    return "\n".join(out)


def counts(rows: list[Row]) -> dict[str, int]:
    return dict(Counter(r.dispute_type for r in rows))

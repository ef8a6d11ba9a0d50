"""The written route rule (data/triage/corpus/README.md, "route"; /work/team/ROUTE-RULE.md) as code: which body a
dispute goes to given its type, its risk level and a few cues of its text. The cue words live in
data/triage/route_rule.json; the amount and headcount thresholds are data/risk_escalation.json's
(`large_amount_yuan`, `mass_parties_headcount`, through screening.config, per-area overrides included).

Two users:

* `audit()` applies the rule to a labelled line's OWN labels (dispute_type, risk_level) and text, to find corpus
  lines whose route contradicts the rule (`manage.py triage_route_audit`).
* triage.engine composes the predicted type and level with `township_cues()` for rules 3 and 5; rules 1, 2 and 4
  (police, court, other departments) need a reading of the facts that cue words alone do not give (a past scuffle is
  not police, a court's 委派调解 is not court), so there the learned route model decides and the cues found here are
  only reported.

Every cue names the words of the text that matched, so that a reason shown to the user quotes the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "data" / "triage" / "route_rule.json"
VILLAGE = "VILLAGE_COMMITTEE"
TOWNSHIP = "TOWNSHIP_COMMITTEE"
LEARNED = ("POLICE", "COURT", "OTHER_DEPT")  # rules 1, 2, 4: the facts decide, not a cue word alone
TOWNSHIP_KINDS = ("cross_village", "organisation", "village_failed", "brought_up")
DEFAULT_THRESHOLDS = {"large_amount_yuan": 100_000, "mass_parties_headcount": 10}


@cache
def config() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


def engine_enabled() -> bool:
    """Whether triage.engine routes by this rule ("engine_enabled" of the file; false: the learned model alone, or
    data/triage/routes.json's older layer)."""
    return bool(config().get("engine_enabled", True))


def reload() -> None:
    config.cache_clear()
    _patterns.cache_clear()


@cache
def _patterns(key: str) -> re.Pattern[str] | None:
    """One alternation for a cue list of the configuration ("police", "township.organisation" …), longest first."""
    cfg = config()
    node = cfg
    for part in key.split("."):
        node = node[part]
    terms = node["terms"] if isinstance(node, dict) else node
    if not terms:
        return None
    gap = int(cfg.get("gap", 6))
    breaks = re.escape(cfg.get("clause_breaks", "，。！？；"))
    alts = []
    for term in sorted(set(terms), key=len, reverse=True):
        alts.append(f"[^{breaks}]{{0,{gap}}}?".join(re.escape(p) for p in term.split("…")))
    return re.compile("|".join(alts))


def _negated(text: str, start: int) -> bool:
    """A negator within `window` characters before `start`, in the same clause (不是外村人, 没去司法所)."""
    cfg = config()
    left = text[max(0, start - int(cfg.get("window", 4))) : start]
    for ch in cfg.get("clause_breaks", "，。！？；"):
        if ch in left:
            left = left[left.rindex(ch) + 1 :]
    return any(n in left for n in cfg.get("negators", []))


def find(text: str, key: str) -> list[str]:
    """The words of `text` matching the cue list `key`, not negated, in order of appearance, without repeats."""
    pattern = _patterns(key)
    if pattern is None or not text:
        return []
    out = [m.group(0) for m in pattern.finditer(text) if not _negated(text, m.start())]
    return list(dict.fromkeys(out))


LEARNED_KINDS = ("police", "police_past", "court", "court_not", "other_dept")


def _clause(text: str, start: int, end: int) -> str:
    breaks = config().get("clause_breaks", "，。！？；")
    i, j = start, end
    while i > 0 and text[i - 1] not in breaks:
        i -= 1
    while j < len(text) and text[j] not in breaks:
        j += 1
    return text[i:j]


def learned_cues(text: str) -> dict[str, list[str]]:
    """The cue words of rules 1, 2 and 4 in `text`, negation- and tense-aware: "police" — a crime or public-security
    word not negated (没有动手) and not in a clause told in the past (上次, 当时, 已经处理 …: a finished scuffle is not
    police), "police_past" — such a word in a past clause; "court" — a court word, "court_not" — a court that hands
    the case to mediation (诉前委派, 委托调解); "other_dept" — a department, its compensation standard, a factory
    polluting. Each list holds the words of the text."""
    text = text or ""
    out: dict[str, list[str]] = {k: [] for k in LEARNED_KINDS}
    pattern = _patterns("police")
    past = config().get("police_past", [])
    if pattern is not None:
        for m in pattern.finditer(text):
            if _negated(text, m.start()):
                continue
            clause = _clause(text, m.start(), m.end())
            kind = "police_past" if any(p in clause for p in past) else "police"
            if m.group(0) not in out[kind]:
                out[kind].append(m.group(0))
    out["court_not"] = find(text, "court_not")
    out["court"] = find(text, "court")
    out["other_dept"] = find(text, "other_dept")
    return out


def thresholds(division_code: str = "") -> dict:
    """large_amount_yuan and mass_parties_headcount of data/risk_escalation.json (per area)."""
    try:
        from screening import config as screening_config

        t = screening_config.thresholds(division_code)
        return {k: t.get(k, v) for k, v in DEFAULT_THRESHOLDS.items()}
    except Exception:  # noqa: BLE001 - outside Django (a standalone script): the shipped defaults
        return dict(DEFAULT_THRESHOLDS)


@dataclass(frozen=True)
class Cue:
    kind: str  # one of TOWNSHIP_KINDS, "amount", "headcount" or "level"
    words: tuple[str, ...]  # words of the text (empty for "level")
    text: str  # the Chinese reason


def _fmt_yuan(v: float) -> str:
    return f"{v / 10000:g}万元" if v >= 10000 else f"{v:g}元"


def township_cues(
    text: str,
    level: str = "YELLOW",
    *,
    amount_yuan: float | None = None,
    headcount: int | None = None,
    division_code: str = "",
    p_escalate: float | None = None,
) -> list[Cue]:
    """Rule 5's conditions for the township committee that hold for this text and level, each with the words found:
    parties of different villages, an organisation as a party, the village committee already tried, brought to the
    township / street / 司法所, amount ≥ large_amount_yuan, headcount ≥ mass_parties_headcount, level ORANGE or RED.
    `amount_yuan` / `headcount` are the form's figures (the text's own are read with triage.lexicon)."""
    from triage import lexicon

    cfg = config()["township"]
    text = text or ""
    out: list[Cue] = []
    for kind in TOWNSHIP_KINDS:
        words = find(text, f"township.{kind}")
        if words:
            out.append(Cue(kind, tuple(words[:3]), cfg[kind]["label"]))
    t = thresholds(division_code)
    large = float(t["large_amount_yuan"])
    figs = [f for f in lexicon.amounts(text) if f.value >= large]
    if figs or (amount_yuan is not None and float(amount_yuan) >= large):
        words = tuple(f.words for f in figs[:1])
        out.append(Cue("amount", words, f"涉及金额达到{_fmt_yuan(large)}以上"))
    mass = int(t["mass_parties_headcount"])
    # People on a side, counted (30多户, 十几个工人, 14人): a word like 全村 is often the audience, not a party.
    words_only = lexicon.config()["numbers"]["headcount_words"]
    heads = [f for f in lexicon.headcounts(text) if f.value >= mass and f.words not in words_only]
    if heads or (headcount is not None and int(headcount) >= mass):
        words = tuple(f.words for f in heads[:1])
        out.append(Cue("headcount", words, f"一方人数达到{mass}人以上"))
    threshold = route_escalation_threshold()
    if p_escalate is not None and threshold is not None:
        # The level model's calibrated probability, not the level shown (which leans towards escalating).
        if p_escalate >= threshold:
            out.append(Cue("level", (), f"风险较高（模型估计需升级处置的概率{p_escalate:.2f}）"))
    elif level in ("RED", "ORANGE"):
        out.append(Cue("level", (), "风险等级为" + ("红色" if level == "RED" else "橙色")))
    return out


def route_escalation_threshold() -> float | None:
    """The probability of escalation from which rule 5 sends a dispute to the township ("route_escalation" of the
    file); None when switched off (the level shown decides)."""
    cfg = config().get("route_escalation") or {}
    if not cfg.get("enabled"):
        return None
    return float(cfg.get("threshold", 0.5))


@dataclass(frozen=True)
class Decision:
    route: str
    step: int  # the rule's step that decided: 3 (specialised body), 4 (department type), 5 (township / village)
    cues: tuple[Cue, ...] = ()
    words: tuple[str, ...] = ()
    level: str = "YELLOW"  # the level shown with the suggestion
    p_escalate: float | None = None  # the level model's probability, when it decided rule 5's level condition

    @property
    def reason(self) -> str:
        from triage.engine import _labels

        labels = _labels()
        body = labels["route"].get(self.route, self.route)
        if self.step == 3:
            return f"该类纠纷由{body}处理（分流规则第3条）"
        if self.step == 4:
            return f"涉及政府征收补偿或企业污染，由{body}处理（分流规则第4条）"
        if self.route == TOWNSHIP:
            parts = []
            for c in self.cues:
                quoted = "（“" + "”“".join(c.words) + "”）" if c.words else ""
                parts.append(c.text + quoted)
            return "；".join(parts) + "，建议乡镇（街道）调委会、司法所处理（分流规则第5条）"
        if self.p_escalate is not None and self.level in ("RED", "ORANGE"):
            shown = "红色" if self.level == "RED" else "橙色"
            risk = (
                f"风险等级虽显示为{shown}（为不漏报而从严），但模型估计需升级处置的概率仅{self.p_escalate:.2f}，"
                "如确认风险较高请改送乡镇（街道）调委会；"
            )
        elif self.p_escalate is not None:
            risk = f"模型估计需升级处置的概率{self.p_escalate:.2f}，风险不高，"
        else:
            risk = "风险等级为黄色，"
        return (
            f"同村（社区）个人之间的一般纠纷，{risk}未见跨村、单位、金额或人数较大等情形，"
            "建议村（居）调委会就地化解（分流规则第5条）"
        )


def decide(
    text: str,
    dispute_type: str,
    level: str,
    *,
    amount_yuan: float | None = None,
    headcount: int | None = None,
    division_code: str = "",
    p_escalate: float | None = None,
) -> Decision:
    """Rules 3 and 5 (and rule 4's type part) for a dispute that is not a police, court or other-department matter:
    a specialised type goes to its body; LAND_ACQ_DEMOLITION / ENV_POLLUTION to OTHER_DEPT; everything else to the
    township committee when a condition of rule 5 holds, else to the village committee."""
    cfg = config()
    body = cfg["specialised"].get(dispute_type)
    if body:
        return Decision(body, 3)
    if dispute_type in cfg.get("department_types", []):
        return Decision("OTHER_DEPT", 4)
    if route_escalation_threshold() is None:
        p_escalate = None
    cues = township_cues(
        text, level, amount_yuan=amount_yuan, headcount=headcount, division_code=division_code, p_escalate=p_escalate
    )
    if cues:
        words = tuple(dict.fromkeys(w for c in cues for w in c.words))
        return Decision(TOWNSHIP, 5, tuple(cues), words, level, p_escalate)
    return Decision(VILLAGE, 5, level=level, p_escalate=p_escalate)


# ---------------------------------------------------------------------------------------------------------------
# The audit of labelled lines.


@dataclass
class Finding:
    id: str
    text: str
    dispute_type: str
    risk_level: str
    route: str  # the label
    expected: str  # what the rule gives from the labels ("" when the rule needs a reading: police/court/dept)
    problem: str  # "contradicts" / "unsupported" / "possible"
    why: str
    words: list[str] = field(default_factory=list)


def audit_row(row) -> Finding | None:
    """The rule applied to one labelled line (triage.corpus.Row) from its own labels and text; None when the label
    agrees. 'contradicts': rule 3 or 5 gives another route; 'unsupported': labelled police / court / department with
    no cue of that rule in the text; 'possible': labelled otherwise while a police / court / department cue is
    present (to read, not to change blindly)."""
    text, dtype, level, route = row.text, row.dispute_type, row.risk_level, row.route
    if not route:
        return None
    cues = {k: find(text, k) for k in ("police", "court", "other_dept")}
    court_not = find(text, "court_not")
    if court_not:
        cues["court"] = []
    key = {"POLICE": "police", "COURT": "court", "OTHER_DEPT": "other_dept"}
    if route in LEARNED:
        if route == "OTHER_DEPT" and dtype in config().get("department_types", []):
            return None
        if not cues[key[route]]:
            return Finding(row.id, text, dtype, level, route, "", "unsupported", f"无{key[route]}线索", [])
        return None
    d = decide(text, dtype, level)
    if d.step == 4 and route in (VILLAGE, TOWNSHIP):
        # 征地补偿 divided within a family, a neighbour burning rubbish: rule 5 applies; check it as such.
        d = decide(text, "OTHER", level)
        if d.route != route:
            return Finding(row.id, text, dtype, level, route, d.route, "contradicts", "第4条例外后第5条", list(d.words))
        return None
    if d.route != route:
        why = "第3条" if d.step == 3 else ("第4条" if d.step == 4 else "第5条")
        if d.route == TOWNSHIP:
            why += "：" + "、".join(c.kind for c in d.cues)
        return Finding(row.id, text, dtype, level, route, d.route, "contradicts", why, list(d.words))
    for k, ws in cues.items():
        if ws:
            return Finding(row.id, text, dtype, level, route, d.route, "possible", f"有{k}线索", ws)
    return None


def audit(rows) -> list[Finding]:
    return [f for f in (audit_row(r) for r in rows) if f is not None]

"""The transparent risk lexicon (data/triage/risk_lexicon.json): per flag the terms that suggest it, negation
handling, calm cues, and the amounts and headcounts read from the text against the thresholds of
data/risk_escalation.json (through screening.rules, the same rule the screening pages use).

Everything a hit says is shown to the user: the flag, the words found, the rule text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "data" / "triage" / "risk_lexicon.json"
FLAG_ORDER = [
    "CIVIL_TO_CRIMINAL",
    "SUICIDE_RISK",
    "GROUP_PETITION",
    "GROUP_FIGHT",
    "PUBLIC_SECURITY",
    "UNNATURAL_DEATH",
    "MASS_PARTIES",
    "LARGE_AMOUNT",
    "LITIGATION_PETITION",
]
LEVEL_RANK = {"YELLOW": 0, "ORANGE": 1, "RED": 2}


@cache
def config() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# Numbers: Chinese and Arabic numerals, amounts in yuan, headcounts.

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_CN_DIGIT.update({"九": 9, "几": 3, "半": 0})
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_NUM_CHARS = "0-9０-９.．零〇一二两俩三四五六七八九十百千万亿几"


def cn_number(s: str) -> float | None:
    """'一百二十万' → 1200000, '十几' → 13, '三万六' → 36000, '21.6万' → 216000, '3000' → 3000; None if not a number.
    几 counts as 3 (十几 → 13, 几十 → 30), a conservative reading of a vague figure."""
    s = s.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if not s:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万亿]*)", s)
    if m:
        value = float(m.group(1))
        for ch in m.group(2):
            value *= _CN_UNIT.get(ch) or _CN_BIG[ch]
        return value
    total = 0.0
    section = 0.0
    digit: float | None = None
    last_unit = 1
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch.isdigit():
            digit = float(ch)
        elif ch in _CN_UNIT:
            section += (digit if digit is not None else 1) * _CN_UNIT[ch]
            last_unit = _CN_UNIT[ch]
            digit = None
        elif ch in _CN_BIG:
            section += digit or 0
            total += (section or 1) * _CN_BIG[ch]
            last_unit = _CN_BIG[ch]
            section = 0
            digit = None
        else:
            return None
    if digit is not None:
        # 三万六 → 36000, 一百二 → 120: a trailing digit counts in the unit below the last one.
        section += digit * (last_unit // 10 if last_unit >= 100 else 1)
    return total + section


_AMOUNT = re.compile(rf"([{_NUM_CHARS}]+)(多|余|来)?([万亿])?(多|余)?(块钱|元|块)?")
_HEAD = re.compile(rf"([{_NUM_CHARS}]+)(多|余|来)?([个名位号户])?(多|余)?")
_NOT_MONEY_AFTER = "人户名位亩平米斤吨头只棵株次步字年天个件套间栋辆"


@dataclass
class Figure:
    value: float
    words: str


def amounts(text: str) -> list[Figure]:
    """Amounts of money in the text, in yuan: '15万' '十几万' '3000元' '三千块' '一百二十万' '21.6万元' '一百多万'.
    A figure is money when it ends with 元/块, or has 万/亿 and is not followed by a count word (人, 亩, 平米…)."""
    out: list[Figure] = []
    for m in _AMOUNT.finditer(text):
        run, more1, big, more2, cur = m.groups()
        after = text[m.end() : m.end() + 1]
        has_big = bool(big) or "万" in run or "亿" in run
        if not cur and not (has_big and (not after or after not in _NOT_MONEY_AFTER)):
            continue
        if not re.search(r"[0-9０-９一二两三四五六七八九十百千几]", run):
            continue
        value = cn_number(run.rstrip("."))
        if value is None:
            continue
        if big:
            value *= _CN_BIG[big]
        if more1 or more2:
            value *= 1.05
        if value > 0:
            out.append(Figure(value, m.group(0)))
    return out


def headcounts(text: str) -> list[Figure]:
    """Numbers of people: '30多户' '十几个工人' '14人' '二十余名族人', and words that stand for many ('全村')."""
    nouns = sorted(config()["numbers"]["headcount_nouns"], key=len, reverse=True)
    out: list[Figure] = []
    for m in _HEAD.finditer(text):
        run, more1, measure, more2 = m.groups()
        rest = text[m.end() : m.end() + 4]
        noun = next((n for n in nouns if rest.startswith(n)), None)
        if noun is None and measure not in ("户", "名"):
            continue
        if not re.search(r"[0-9０-９一二两三四五六七八九十百千几]", run) or "万" in run or "亿" in run:
            continue
        value = cn_number(run.rstrip("."))
        if value is None or value <= 0 or value > 100_000 or value != int(value):
            continue
        if more1 or more2:
            value += 1
        out.append(Figure(value, m.group(0) + (noun or "")))
    for word, value in config()["numbers"]["headcount_words"].items():
        if word in text and not any(word in f.words for f in out):
            i = text.find(word)
            follow = text[i + len(word) : i + len(word) + 4]
            vague = word in ("几十", "好几十", "十几", "十来", "二三十", "上百", "几百", "好几百")
            if vague and not any(follow.startswith(n) or follow[1:].startswith(n) for n in nouns):
                continue
            out.append(Figure(float(value), word))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Terms, negation, calm cues.


@dataclass
class Hit:
    flag: str
    words: list[str] = field(default_factory=list)
    rule: str = ""
    level: str = "ORANGE"
    negated: list[str] = field(default_factory=list)


@dataclass
class LexiconResult:
    hits: dict[str, Hit]  # positive hits only, by flag
    negated: dict[str, list[str]]  # flag → terms found only negated
    calm: list[str]  # calm cues found
    amount_yuan: float | None
    headcount: int | None
    numbers_words: list[str]

    @property
    def level(self) -> str:
        best = "YELLOW"
        for hit in self.hits.values():
            if LEVEL_RANK[hit.level] > LEVEL_RANK[best]:
                best = hit.level
        return best


def _compile_term(term: str, gap: int) -> re.Pattern[str]:
    parts = [re.escape(p) for p in term.split("…")]
    return re.compile(f"[^，。！？；,.!?;\\n]{{0,{gap}}}".join(parts))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """One alternation per flag, longest terms first (a longer term wins over a term inside it)."""
    cfg = config()
    gap = int(cfg.get("gap", 8))
    out: dict[str, re.Pattern[str]] = {}
    for flag, spec in cfg["flags"].items():
        terms = sorted(set(spec.get("terms", [])), key=len, reverse=True)
        out[flag] = re.compile("|".join(_compile_term(t, gap).pattern for t in terms))
    return out


def _negated(text: str, start: int) -> bool:
    """A negator within `window` characters before `start`, in the same clause."""
    cfg = config()
    window = int(cfg.get("window", 6))
    breaks = cfg.get("clause_breaks", "，。！？；")
    left = text[max(0, start - window) : start]
    for ch in breaks:
        if ch in left:
            left = left[left.rindex(ch) + 1 :]
    for n in cfg["negators"]:
        i = left.rfind(n)
        if i < 0:
            continue
        # A condition, not a negation: 不给钱就跳楼, 不还钱我就弄死他, 不解决的话要去县里.
        if any(c in left[i + len(n) :] for c in ("就", "要", "的话", "我", "也")):
            continue
        return True
    return False


def _exception_at(text: str, start: int, end: int) -> bool:
    """The negator is part of a risk phrase ('不想活', '不给钱就…')."""
    lo = max(0, start - 4)
    window = text[lo : end + 4]
    return any(e in window for e in config()["negated_exceptions"])


def scan(
    text: str,
    *,
    headcount: int | None = None,
    amount_yuan: Decimal | float | int | None = None,
    dispute_type: str = "",
    division_code: str = "",
) -> LexiconResult:
    """Flags the lexicon finds in `text` (negated terms removed), with the numbers read from the text and the
    form's `headcount` / `amount_yuan` checked against the configured thresholds."""
    cfg = config()
    text = text or ""
    hits: dict[str, Hit] = {}
    negated: dict[str, list[str]] = {}
    calm = [c for c in cfg.get("calm_cues", []) if c in text]
    for flag, pattern in _patterns().items():
        spec = cfg["flags"][flag]
        found: list[str] = []
        neg: list[str] = []
        for m in pattern.finditer(text):
            if _negated(text, m.start()) and not _exception_at(text, m.start(), m.end()):
                neg.append(m.group(0))
            else:
                found.append(m.group(0))
        found = list(dict.fromkeys(found))
        if found:
            level = spec.get("level", "ORANGE")
            red_terms = [t for t in spec.get("red_terms", []) if t in text]
            if red_terms and level != "RED":
                level = "RED"
                found = found + [t for t in red_terms if t not in found][:2]
            hits[flag] = Hit(flag, found[:5], spec["rule"].format(words="”“".join(found[:3])), level)
        elif neg:
            negated[flag] = list(dict.fromkeys(neg))

    # Numbers: the text's own figures and the form's, against data/risk_escalation.json.
    amt_figs = amounts(text)
    head_figs = headcounts(text)
    text_amount = max((f.value for f in amt_figs), default=None)
    text_head = max((f.value for f in head_figs), default=None)
    amount = max(
        [v for v in (text_amount, float(amount_yuan) if amount_yuan is not None else None) if v is not None],
        default=None,
    )
    head = max([v for v in (text_head, float(headcount) if headcount else None) if v is not None], default=None)
    numbers_words: list[str] = []
    threshold_flags = _threshold_flags(
        headcount=int(head or 0), amount=amount, dispute_type=dispute_type, text=text, division_code=division_code
    )
    for flag, rule in threshold_flags:
        if flag == "LARGE_AMOUNT":
            words = [f.words for f in amt_figs if amount is not None and f.value == text_amount and f.value >= 1][:1]
        else:
            words = [f.words for f in head_figs if f.value == text_head][:1]
        numbers_words.extend(words)
        prev = hits.get(flag)
        hits[flag] = Hit(flag, list(dict.fromkeys(words + (prev.words if prev else []))), rule, "ORANGE")
        negated.pop(flag, None)
    # A lexicon term for an amount or headcount without a figure ("几十万", "全村") still counts.
    return LexiconResult(
        hits={f: hits[f] for f in FLAG_ORDER if f in hits},
        negated=negated,
        calm=calm,
        amount_yuan=amount,
        headcount=int(head) if head else None,
        numbers_words=numbers_words,
    )


def _threshold_flags(
    *, headcount: int, amount: float | None, dispute_type: str, text: str, division_code: str
) -> list[tuple[str, str]]:
    """MASS_PARTIES / LARGE_AMOUNT from the configured thresholds (screening.rules, without its keyword part:
    keywords here come from the lexicon, with negation)."""
    try:
        from screening import rules
    except Exception:  # noqa: BLE001 - outside Django (the standalone bench configures Django first)
        return []
    found = rules.suggest_flags(
        headcount=headcount,
        amount=Decimal(str(round(amount, 2))) if amount is not None else None,
        dispute_type=dispute_type,
        text=text,
        division_code=division_code,
    )
    # The keyword part of screening.rules has no negation handling; the lexicon above does it.
    return [(f, r) for f, r in found if f in ("MASS_PARTIES", "LARGE_AMOUNT") and "出现" not in r]

"""Snippets with the matching words in <mark>: everything else escaped, personal data (names, phones, ID numbers)
masked and never marked."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.identity import mask_phone
from cases.models.case import mask_name
from search.index import given_names, pii_spans

WINDOW = 36  # characters of context either side of the first match


def _masked_number(kind: str, raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit() or ch in "Xx")
    if kind == "phone":
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        return mask_phone(digits)
    return "（卡号略）" if kind == "card" else "（证件号略）"


def _pii_spans(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, masked replacement) of every name (and a person's given name alone), phone, ID and bank card
    number in `text`, not overlapping (a match is never marked inside one)."""
    spans: list[tuple[int, int, str]] = [(a, b, _masked_number(k, text[a:b])) for a, b, k in pii_spans(text)]
    full = {n for n in names if n}
    names = {part: n for n in sorted(full, key=len) for part in given_names(n)}
    names.update({n: n for n in full})
    for name in sorted(set(names), key=len, reverse=True):
        if not name:
            continue
        for m in re.finditer(re.escape(name), text):
            spans.append((m.start(), m.end(), mask_name(names[name])))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, str]] = []
    for s in spans:
        if not out or s[0] >= out[-1][1]:
            out.append(s)
    return out


def _match_spans(text: str, tokens: Iterable[str]) -> list[tuple[int, int]]:
    toks = sorted({t for t in tokens if t}, key=len, reverse=True)
    if not toks:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in toks), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def highlight(text: str, tokens: Iterable[str], names: Iterable[str] = (), window: int | None = WINDOW) -> SafeString:
    """`text` (cut to a window around the first match when `window`) as safe HTML: the query tokens wrapped in
    <mark>, names/phones/ID numbers masked (never marked), the rest escaped. Empty when nothing matches."""
    text = text or ""
    matches = _match_spans(text, tokens)
    if not matches:  # most texts of a hit: no need to look for personal data in them
        return mark_safe("")
    pii = _pii_spans(text, names)
    in_pii = [False] * (len(text) + 1)
    for a, b, _r in pii:
        for i in range(a, b):
            in_pii[i] = True
    marks = [(a, b) for a, b in matches if not any(in_pii[a:b])]
    if not marks:
        return mark_safe("")
    lo, hi = 0, len(text)
    if window is not None:
        lo = max(0, marks[0][0] - window)
        hi = min(len(text), marks[0][1] + window * 2)
        # never cut inside personal data
        for a, b, _r in pii:
            if a < lo < b:
                lo = a
            if a < hi < b:
                hi = b
    events = sorted([(a, b, "pii", r) for a, b, r in pii] + [(a, b, "mark", "") for a, b in marks])
    html, pos = [], lo
    if lo > 0:
        html.append("…")
    for a, b, kind, repl in events:
        if b <= lo or a >= hi or a < pos:
            continue
        html.append(escape(text[pos:a]))
        html.append(escape(repl) if kind == "pii" else f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    html.append(escape(text[pos:hi]))
    if hi < len(text):
        html.append("…")
    return mark_safe("".join(html))  # noqa: S308 -- every piece above is escaped


def mask_text(text: str, names: Iterable[str] = ()) -> SafeString:
    """`text` escaped with its personal data masked, no marks."""
    text = text or ""
    html, pos = [], 0
    for a, b, repl in _pii_spans(text, names):
        html.append(escape(text[pos:a]))
        html.append(escape(repl))
        pos = b
    html.append(escape(text[pos:]))
    return mark_safe("".join(html))  # noqa: S308 -- escaped

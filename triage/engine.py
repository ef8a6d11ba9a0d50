"""The triage engine behind triage.service.suggest(): the trained models (triage.train.Bundle) combined with the
transparent risk lexicon (triage.lexicon) and the written route rule (triage.route_rule, data/triage/route_rule.json;
the older switched-off layer of data/triage/routes.json when that rule is switched off).

`get()` returns one engine per process: the active TriageModelVersion's file when there is one; otherwise a model
trained once on the shipped corpus (training split) and cached under var/triage/, keyed by the corpus hash and
the scikit-learn version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from decimal import Decimal
from functools import cache
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from django.db import transaction

from triage import corpus, features, lexicon
from triage import route_rule as route_rule_mod
from triage.service import Suggestion
from triage.train import LEVELS, TRAIN_VERSION, TYPE_WEIGHT, Bundle, type_onehot, type_parents

log = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
CACHE_DIR = BASE_DIR / "var" / "triage"
ROUTES_PATH = BASE_DIR / "data" / "triage" / "routes.json"
RED_FLAGS = ("CIVIL_TO_CRIMINAL", "SUICIDE_RISK", "GROUP_FIGHT")
LEXICON_CONFIDENCE = 0.9  # the confidence shown for a flag found by a lexicon term (a rule, not a probability)
# Words never named as a reason (they carry weight in the model but explain nothing to a reader).
REASON_STOPWORDS = frozenset(
    "我们 你们 他们 她们 咱们 俺们 自己 某某 双方 一方 对方 就是 现在 已经 还是 但是 因为 所以 "
    "这个 那个 一个 什么 怎么 没有 不是 可以 要求 请求 反映 称其 其与".split()
)
CALM_ESCALATION = 0.7  # the escalation probability needed when the text has a calm cue and no risk term

_lock = threading.Lock()
_engine: Engine | None = None
RECHECK_SECONDS = 60.0
_state: dict = {"key": None, "checked": float("-inf")}


@cache
def routes_config() -> dict:
    return json.loads(ROUTES_PATH.read_text(encoding="utf-8"))


@cache
def _labels() -> dict[str, dict[str, str]]:
    from cases.enums import DisputeType
    from screening.enums import RiskFlag, RiskLevel
    from triage.enums import Route

    return {
        "type": {c: str(lbl) for c, lbl in DisputeType.choices},
        "flag": {c: str(lbl) for c, lbl in RiskFlag.choices},
        "level": {c: str(lbl) for c, lbl in RiskLevel.choices},
        "route": {c: str(lbl) for c, lbl in Route.choices},
    }


def _round(p: float) -> float:
    return round(float(p), 3)


class Vec:
    """One text's TF-IDF vector as (column indices, values): word block first, then character n-grams, each block
    L2-normalised (what the fitted FeatureUnion produces), without scipy/sklearn's per-call overhead."""

    __slots__ = ("idx", "val")

    def __init__(self, idx: np.ndarray, val: np.ndarray):
        self.idx = idx
        self.val = val


def _tfidf_block(tokens, vocab: dict, idf: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray]:
    counts: dict[int, int] = {}
    for t in tokens:
        j = vocab.get(t)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    val = (1.0 + np.log(tf)) * idf[idx]  # sublinear_tf, then idf
    norm = np.sqrt(val @ val)
    if norm > 0:
        val = val / norm
    return idx + offset, val


class _Linear:
    """A fitted LogisticRegression as plain arrays: scoring one text is a sparse-dense product (sklearn's
    per-call validation would cost more than the model)."""

    def __init__(self, model, n_text: int):
        self.classes = [c.item() if hasattr(c, "item") else c for c in model.classes_]
        coef = np.asarray(model.coef_, dtype=np.float64)
        self.binary = coef.shape[0] == 1
        self.text_t = np.ascontiguousarray(coef[:, :n_text].T)  # (n_text, k)
        self.extra_t = np.ascontiguousarray(coef[:, n_text:].T)  # (n_extra, k)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.coef = coef

    def proba(self, x: Vec, extra: np.ndarray | None = None) -> np.ndarray:
        z = x.val @ self.text_t[x.idx] + self.intercept
        if extra is not None and self.extra_t.shape[0]:
            z = z + extra @ self.extra_t
        if self.binary:
            p1 = 1.0 / (1.0 + np.exp(-z[0]))
            return np.array([1.0 - p1, p1])
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def row(self, cls: object) -> np.ndarray:
        if self.binary:
            return self.coef[0] if cls == self.classes[1] else -self.coef[0]
        return self.coef[self.classes.index(cls)]


class Engine:
    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self.version = bundle.version
        self.n_words = int(bundle.word_count)
        self.word_names = np.asarray(bundle.word_names)
        self._vw = bundle.vectorizer.transformer_list[0][1]
        self._vc = bundle.vectorizer.transformer_list[1][1]
        self.n_text = len(self._vw.vocabulary_) + len(self._vc.vocabulary_)
        self._n_w = len(self._vw.vocabulary_)
        self._w_vocab = dict(self._vw.vocabulary_)
        self._c_vocab = dict(self._vc.vocabulary_)
        self._w_idf = np.asarray(self._vw.idf_, dtype=np.float64)
        self._c_idf = np.asarray(self._vc.idf_, dtype=np.float64)
        self._c_analyze = self._vc.build_analyzer()
        self.type_m = _Linear(bundle.type_model, self.n_text)
        self.route_m = _Linear(bundle.route_model, self.n_text)
        self.level_m = _Linear(bundle.level_model, self.n_text)
        self.flag_m = {f: _Linear(m, self.n_text) for f, m in bundle.flag_models.items()}
        self.type_classes = [str(c) for c in self.type_m.classes]
        self.route_classes = [str(c) for c in self.route_m.classes]
        self.level_classes = [str(c) for c in self.level_m.classes]
        self.type_parents = (bundle.notes or {}).get("type_parents") or type_parents(self.type_classes)

    def transform(self, text: str) -> Vec:
        wi, wv = _tfidf_block(features.analyze_words(text), self._w_vocab, self._w_idf, 0)
        ci, cv = _tfidf_block(self._c_analyze(text), self._c_vocab, self._c_idf, self._n_w)
        return Vec(np.concatenate([wi, ci]), np.concatenate([wv, cv]))

    def transform_sparse(self, text: str) -> sp.csr_matrix:
        """The same vector through sklearn (for checking `transform`)."""
        return sp.hstack([self._vw.transform([text]), self._vc.transform([text])], format="csr")

    # -- explanation helpers ----------------------------------------------------------------------------------
    def _top_words(self, coef_row: np.ndarray, x: Vec, text: str, k: int = 5) -> list[str]:
        """The words of the text that contributed most to a class (coefficient × tf-idf), positive only, each one
        occurring in the text as written."""
        mask = x.idx < self.n_words
        idx = x.idx[mask]
        if not len(idx):
            return []
        contrib = coef_row[idx] * x.val[mask]
        order = np.argsort(-contrib)
        out: list[str] = []
        low = text.lower()
        for j in order:
            if contrib[j] <= 0 or len(out) >= k:
                break
            w = str(self.word_names[idx[j]])
            if len(w) < 2 or w in REASON_STOPWORDS or w.isdigit():
                continue
            if w in text:
                out.append(w)
            elif w in low:
                i = low.find(w)
                out.append(text[i : i + len(w)])
        return out

    @staticmethod
    def _coef(model: _Linear, cls: object) -> np.ndarray:
        return model.row(cls)

    def escalation_probability(self, text: str, dispute_type: str, division_code: str = "") -> float:
        """The level model's P(RED or ORANGE) for a text and its type (what rule 5 of the route reads when
        "route_escalation" is switched on); the same figure suggest() computes."""
        text = (text or "").strip()
        lex = lexicon.scan(text, dispute_type=dispute_type, division_code=division_code)
        lp = self.level_m.proba(self.transform(text), np.array(features.lexicon_row(lex)))
        pl = dict(zip(self.level_classes, (float(v) for v in lp), strict=True))
        return float(pl.get("RED", 0.0) + pl.get("ORANGE", 0.0))

    # -- the suggestion --------------------------------------------------------------------------------------
    def suggest(
        self,
        text: str,
        *,
        headcount: int | None = None,
        amount_yuan: Decimal | int | float | None = None,
        division_code: str = "",
    ) -> Suggestion:
        b = self.bundle
        text = (text or "").strip()
        labels = _labels()
        x = self.transform(text)

        # Dispute type.
        tp = self.type_m.proba(x)
        order = np.argsort(-tp)
        dtype = self.type_classes[order[0]]
        type_conf = float(tp[order[0]])
        alternatives = [[self.type_classes[j], _round(tp[j])] for j in order[1:4] if tp[j] >= 0.03]
        type_words = self._top_words(self._coef(self.type_m, dtype), x, text)

        # Risk: lexicon (with the form's figures) + the level model + one model per flag.
        lex = lexicon.scan(
            text, headcount=headcount, amount_yuan=amount_yuan, dispute_type=dtype, division_code=division_code
        )
        lex_row = np.array(features.lexicon_row(lex))
        lp = self.level_m.proba(x, lex_row)
        pl = dict(zip(self.level_classes, (float(v) for v in lp), strict=True))
        p_esc = pl.get("RED", 0.0) + pl.get("ORANGE", 0.0)
        flags: dict[str, dict] = {}
        flag_conf: dict[str, float] = {}
        for flag, hit in lex.hits.items():
            flags[flag] = {"words": hit.words, "rule": hit.rule}
            flag_conf[flag] = LEXICON_CONFIDENCE
        for flag, model in self.flag_m.items():
            if flag in flags:
                continue
            p = float(model.proba(x, lex_row)[1])
            need = b.flag_thresholds.get(flag, 0.5)
            if flag in lex.negated or lex.calm:
                need = max(need, 0.8)  # the text says the opposite or the parties are calm: ask for more
            if flag in ("MASS_PARTIES", "LARGE_AMOUNT") and (lex.amount_yuan or lex.headcount):
                need = max(need, 0.8)  # the figures were read: trust them over the model
            if p >= need:
                fw = self._top_words(model.row(True), x, text, k=3)
                label = labels["flag"].get(flag, flag)
                flags[flag] = {"words": fw, "rule": f"模型判断：{label}（概率{p:.2f}）"}
                flag_conf[flag] = p
        flag_list = [f for f in lexicon.FLAG_ORDER if f in flags]

        model_level = "YELLOW"
        need = b.escalation_threshold
        if lex.calm and not lex.hits:
            need = max(need, CALM_ESCALATION)  # calm parties and no risk term: the model must be surer
        if p_esc >= need:
            model_level = "RED" if pl.get("RED", 0.0) >= pl.get("ORANGE", 0.0) else "ORANGE"
        rules: list[str] = []
        level = model_level
        level_conf = pl.get(model_level, 0.0) if model_level == "YELLOW" else p_esc
        if model_level != "YELLOW":
            rules.append(f"模型判断为{labels['level'][model_level]}（需升级处置的概率{p_esc:.2f}）")
        implied = "YELLOW"
        for flag in flag_list:
            hit = lex.hits.get(flag)
            f_level = "RED" if flag in RED_FLAGS or (hit is not None and hit.level == "RED") else "ORANGE"
            if lexicon.LEVEL_RANK[f_level] > lexicon.LEVEL_RANK[implied]:
                implied = f_level
            rules.append(flags[flag]["rule"])
        if lexicon.LEVEL_RANK[implied] > lexicon.LEVEL_RANK[level]:
            level = implied
            raising = [flag_conf[f] for f in flag_list if (f in RED_FLAGS) == (implied == "RED")] or [0.0]
            level_conf = max(max(raising), p_esc)
        if level == "YELLOW":
            if lex.calm:
                rules.append("情况描述中有“" + "”“".join(lex.calm[:2]) + "”，未见升级风险")
            negated = [w for ws in lex.negated.values() for w in ws]
            if negated:
                rules.append("风险词“" + "”“".join(negated[:3]) + "”前有否定词，不作为风险依据")
            if not rules:
                rules.append("未发现需升级处置的风险情形，建议就地化解")
        level_words = list(dict.fromkeys(w for f in flag_list for w in flags[f]["words"]))
        if level == "YELLOW":  # what speaks against a risk: calm cues and negated risk words
            level_words = list(dict.fromkeys(lex.calm + [w for ws in lex.negated.values() for w in ws]))[:5]
        elif not level_words:
            level_words = self._top_words(self._coef(self.level_m, level), x, text, k=3)
        level_words = [w for w in level_words if w in text]

        # Route: the model (words + the type's probabilities), then the transparent rules.
        level_vec = np.array([pl.get(lv, 0.0) for lv in LEVELS])
        onehot = type_onehot(tp.reshape(1, -1), self.type_classes, self.type_parents)[0]
        rp = self.route_m.proba(x, np.concatenate([tp * TYPE_WEIGHT, level_vec, lex_row, onehot]))
        r_order = np.argsort(-rp)
        route = self.route_classes[r_order[0]]
        route_conf = float(rp[r_order[0]])
        route_words = self._top_words(self._coef(self.route_m, route), x, text, k=3)
        route_rule = f"模型判断：{labels['route'].get(route, route)}（概率{route_conf:.2f}）"
        if route_rule_mod.engine_enabled():
            route, route_conf, route_rule, route_words = self._written_route(
                text,
                dtype,
                type_conf,
                level,
                level_conf,
                route,
                route_conf,
                route_words,
                amount_yuan=float(amount_yuan) if amount_yuan is not None else None,
                headcount=headcount,
                division_code=division_code,
                p_escalate=p_esc,
            )
            ruled = None
        else:
            ruled = self._route_rule(text, dtype, type_conf, route, route_conf, flag_list, level)
        if ruled is not None:
            route, rule_text, rule_words = ruled
            route_conf = float(rp[self.route_classes.index(route)]) if route in self.route_classes else route_conf
            route_rule = rule_text
            route_words = rule_words or route_words

        for ws in (type_words, level_words, route_words):
            ws[:] = [w for w in ws if w in text]
        for f in flags.values():
            f["words"] = [w for w in f["words"] if w in text]
        reasons = {
            "dispute_type": {"confidence": _round(type_conf), "words": type_words, "alternatives": alternatives},
            "risk_level": {"confidence": _round(level_conf), "rules": rules, "words": level_words},
            "risk_flags": flags,
            "route": {"confidence": _round(route_conf), "rule": route_rule, "words": route_words},
        }
        return Suggestion(
            dispute_type=dtype,
            type_confidence=_round(type_conf),
            risk_level=level,
            level_confidence=_round(level_conf),
            risk_flags=flag_list,
            route=route,
            route_confidence=_round(route_conf),
            reasons=reasons,
            model_version=self.version,
        )

    def _written_route(
        self,
        text: str,
        dtype: str,
        type_conf: float,
        level: str,
        level_conf: float,
        model_route: str,
        model_conf: float,
        model_words: list[str],
        *,
        amount_yuan: float | None,
        headcount: int | None,
        division_code: str,
        p_escalate: float | None = None,
    ) -> tuple[str, float, str, list[str]]:
        """The written route rule (triage.route_rule) on the suggested type and level: (route, confidence, rule
        text, words of the text). Rules 1, 2 and 4 — police, court, other departments — need a reading of the facts,
        so the learned route model's POLICE / COURT / OTHER_DEPT stands (with the cue words of that rule named when
        the text has them), except that a specialised type goes to its own body first (rule 3 comes before rule 4).
        Everything else follows rules 3 and 5: the type's body, or the township committee when a condition of rule 5
        holds (the words found, the figures against data/risk_escalation.json, and — "route_escalation" of
        data/triage/route_rule.json — the level model's probability of escalation `p_escalate` rather than the
        recall-leaning level shown; the reason says so), else the village committee."""
        labels = _labels()
        cfg = route_rule_mod.config()
        body = cfg["specialised"].get(dtype)
        if model_route in route_rule_mod.LEARNED and not (model_route == "OTHER_DEPT" and body):
            key = {"POLICE": "police", "COURT": "court", "OTHER_DEPT": "other_dept"}[model_route]
            cues = route_rule_mod.find(text, key)
            if model_route == "COURT" and route_rule_mod.find(text, "court_not"):
                cues = []
            rule = f"模型判断：{labels['route'].get(model_route, model_route)}（概率{model_conf:.2f}）"
            if cues:
                rule += "；情况描述中有“" + "”“".join(cues[:3]) + "”"
            return model_route, model_conf, rule, (cues[:3] or model_words)
        local = (route_rule_mod.VILLAGE, route_rule_mod.TOWNSHIP)
        if dtype in cfg.get("department_types", []) and model_route in local:
            # 征地补偿 divided within a family, a neighbour burning rubbish: the model saw no department matter.
            decision = route_rule_mod.decide(
                text,
                "OTHER",
                level,
                amount_yuan=amount_yuan,
                headcount=headcount,
                division_code=division_code,
                p_escalate=p_escalate,
            )
        else:
            decision = route_rule_mod.decide(
                text,
                dtype,
                level,
                amount_yuan=amount_yuan,
                headcount=headcount,
                division_code=division_code,
                p_escalate=p_escalate,
            )
        words = list(decision.words)
        if decision.step in (3, 4):
            conf = type_conf  # certain given the type: as sure as the type is
            words = model_words if decision.route == model_route else []
        elif decision.route == route_rule_mod.TOWNSHIP:
            by_text = [c for c in decision.cues if c.kind != "level"]
            conf = LEXICON_CONFIDENCE if by_text else (decision.p_escalate or level_conf)
        else:
            # the village committee holds while the risk is low
            conf = 1.0 - decision.p_escalate if decision.p_escalate is not None else level_conf
            words = route_rule_mod.find(text, "village_markers")[:3]
        return decision.route, conf, decision.reason, words

    def _route_rule(
        self,
        text: str,
        dtype: str,
        type_conf: float,
        route: str,
        route_conf: float,
        flags: list[str],
        level: str | None = None,
    ) -> tuple[str, str, list[str]] | None:
        """data/triage/routes.json: a type's natural route when the model is unsure, unless a cue of another body
        (police, court, other department) is in the text."""
        cfg = routes_config()
        if not cfg.get("enabled", True):
            return None
        labels = _labels()
        strict = cfg.get("strict")
        if strict and strict.get("enabled"):
            return self._strict_route(strict, text, dtype, route, flags, labels, level)
        for rule in cfg.get("cue_rules", []):
            if rule.get("types") and dtype not in rule["types"]:
                continue
            if rule.get("flags_any") and not set(rule["flags_any"]) & set(flags):
                continue
            words = [w for w in rule.get("cues", []) if w in text]
            if words and route != rule["route"] and route_conf < rule.get("below", 1.0):
                return rule["route"], rule["rule"].format(words="”“".join(words[:3])), words[:3]
        natural = cfg.get("natural", {}).get(dtype)
        if natural and route != natural and type_conf >= cfg.get("natural_type_confidence", 0.6):
            if route_conf < cfg.get("natural_below", 0.5):
                blockers = [w for w in cfg.get("override_cues", {}).get(route, []) if w in text]
                if not blockers:
                    t = labels["type"].get(dtype, dtype)
                    r = labels["route"].get(natural, natural)
                    return natural, f"{t}一般由{r}处理", []
        return None

    def _strict_route(
        self, cfg: dict, text: str, dtype: str, route: str, flags: list[str], labels: dict, level: str | None = None
    ) -> tuple[str, str, list[str]] | None:
        """The corpus's route rule (data/triage/routes.json "strict"): the model keeps POLICE, COURT and OTHER_DEPT;
        a specialised type goes to its body; any other dispute goes to the township committee when the level is
        raised, the figures are large, or a cue (another village, a company, the village committee failed) is in
        the text, else to the village committee."""
        if route in cfg.get("model_keeps", []):
            return None
        natural = cfg.get("natural", {}).get(dtype)
        t = labels["type"].get(dtype, dtype)
        if natural:
            if natural == route:
                return None
            return natural, f"{t}由{labels['route'].get(natural, natural)}处理", []
        if route not in ("VILLAGE_COMMITTEE", "TOWNSHIP_COMMITTEE"):
            return None
        why: list[str] = []
        words = [w for w in cfg.get("township_cues", []) if w in text][:3]
        raised = [f for f in flags if f in cfg.get("township_flags", [])]
        if words:
            why.append("出现“" + "”“".join(words) + "”")
        if raised:
            why.append("涉及" + "、".join(labels["flag"].get(f, f).removeprefix("涉及") for f in raised))
        if level in ("RED", "ORANGE"):  # per call, never on the shared engine (threads)
            why.append(f"风险等级为{labels['level'][level]}")
        if why:
            return "TOWNSHIP_COMMITTEE", "；".join(why) + "，建议乡镇（街道）调委会处理", words
        if route != "VILLAGE_COMMITTEE":
            return "VILLAGE_COMMITTEE", "同村（社区）个人之间的一般纠纷，建议村（居）调委会处理", []
        return None


# ------------------------------------------------------------------------------------------------------------
# Loading and caching.


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_file(path: Path) -> Engine:
    """Unpickle a model file; jieba's dictionary is initialised too (once per process, shared with search), so
    that the first suggestion is not slow."""
    from triage.text import tokenizer

    bundle = joblib.load(path)
    tokenizer()
    return Engine(bundle)


def save_bundle(bundle: Bundle, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # parallel runs share the dir
    joblib.dump(bundle, tmp, compress=3)
    digest = _sha256(tmp)
    side = _sidecar(path)
    side_tmp = side.with_name(f"{side.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    side_tmp.write_text(digest + "\n", encoding="ascii")
    os.replace(tmp, path)
    os.replace(side_tmp, side)
    return digest


def _sidecar(path: Path) -> Path:
    """The checksum written next to a model file at save time (`auto-….joblib.sha256`)."""
    return path.with_name(path.name + ".sha256")


def _inside_cache_dir(path: Path) -> bool:
    """Model files are pickles: load only files under var/triage/ (writable only by the deploy user)."""
    try:
        return path.resolve().is_relative_to(CACHE_DIR.resolve())
    except (OSError, RuntimeError):
        return False


def _sidecar_ok(path: Path) -> bool:
    try:
        expected = _sidecar(path).read_text(encoding="ascii").strip()
    except OSError:
        return False
    return bool(expected) and _sha256(path) == expected


def _active_file() -> Path | None:
    try:
        from triage.models import TriageModelVersion

        mv = TriageModelVersion.objects.filter(active=True).order_by("-trained_at").first()
    except Exception:  # noqa: BLE001 - no database (a standalone script) or no table yet
        return None
    if mv is None:
        return None
    path = Path(mv.path)
    if not path.is_absolute():
        path = BASE_DIR / path
    if not _inside_cache_dir(path):
        log.warning(
            "triage model %s: file %s outside %s, refused; using the shipped corpus", mv.version, path, CACHE_DIR
        )
        return None
    if not path.exists():
        log.warning("triage model %s: file %s missing, using the shipped corpus", mv.version, path)
        return None
    if not mv.sha256:
        log.warning("triage model %s: no checksum recorded, refused; using the shipped corpus", mv.version)
        return None
    if _sha256(path) != mv.sha256:
        log.warning("triage model %s: checksum mismatch, using the shipped corpus", mv.version)
        return None
    return path


def _fast() -> bool:
    return os.environ.get("TIAOJIE_ENV") == "test" or os.environ.get("TIAOJIE_TRIAGE_FAST") == "1"


def cache_path(fast: bool | None = None) -> Path:
    fast = _fast() if fast is None else fast
    # The lexicon's findings are inputs of the level, flag and route models: its file is part of the key.
    h = hashlib.sha256(corpus.corpus_hash().encode())
    h.update(lexicon.PATH.read_bytes())
    h.update(str(TRAIN_VERSION).encode())
    key = f"{h.hexdigest()[:16]}-skl{sklearn.__version__}" + ("-fast" if fast else "")
    return CACHE_DIR / f"auto-{key}.joblib"


def shipped_engine(fast: bool | None = None) -> Engine:
    """The model trained on the shipped corpus's training split (cached)."""
    from triage import train

    fast = _fast() if fast is None else fast
    path = cache_path(fast)
    if path.exists() and not _sidecar_ok(path):
        log.warning("triage cache %s: checksum missing or mismatched, retraining", path)
    elif path.exists():
        try:
            return load_file(path)
        except Exception:  # noqa: BLE001 - a file of another version: retrain
            log.warning("triage cache %s unreadable, retraining", path)
    rows = corpus.train_rows()
    bundle = train.train(rows, folds=0 if fast else 4, version="corpus-" + path.stem.removeprefix("auto-"))
    save_bundle(bundle, path)
    return Engine(bundle)


def _active_key() -> tuple | None:
    """(id, checksum) of the active TriageModelVersion, None when there is none (or no database)."""
    try:
        from triage.models import TriageModelVersion

        active = TriageModelVersion.objects.filter(active=True).order_by("-trained_at")
        with transaction.atomic():  # a savepoint: a failure here never aborts the caller's transaction
            return active.values_list("pk", "sha256").first()
    except Exception:  # noqa: BLE001 - no database (a standalone script) or no table yet
        return None


def get() -> Engine:
    """The process's engine. Every RECHECK_SECONDS it looks whether another version was activated (train_triage run
    in another process, or a version deactivated in the admin) and then loads that one: no restart needed."""
    global _engine
    now = time.monotonic()
    if _engine is not None and now - _state["checked"] > RECHECK_SECONDS:
        _state["checked"] = now
        if _active_key() != _state["key"]:
            log.info("triage: the active model version changed, reloading")
            with _lock:
                _engine = None
    if _engine is None:
        with _lock:
            if _engine is None:
                _state["key"], _state["checked"] = _active_key(), now
                path = _active_file()
                loaded = None
                if path is not None:
                    try:
                        loaded = load_file(path)
                    except Exception:  # noqa: BLE001 - e.g. a file of another scikit-learn version
                        log.exception("triage model file %s unreadable, using the shipped corpus", path)
                _engine = loaded or shipped_engine()
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Use this engine in the process (tests; after train_triage activates a new version: None reloads)."""
    global _engine
    with _lock:
        _engine = engine
        _state["key"], _state["checked"] = _active_key(), time.monotonic()


def reset() -> None:
    set_engine(None)

"""Training of the triage models: one TF-IDF vectorizer (words + character n-grams) and four linear models —
dispute type (18 codes), route (10 codes; the type's probabilities are among its inputs), risk level
(RED/ORANGE/YELLOW; the lexicon's findings are among its inputs) and one binary model per risk flag. The decision
thresholds (escalation, each flag) are tuned on out-of-fold predictions of the training rows, never on held-out.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from triage import features, lexicon
from triage.corpus import Row

TRAIN_VERSION = 3  # bump when features or models change: cached models of another version are retrained
SEED = 13
TYPE_C = 20.0
ROUTE_C = 20.0
LEVEL_C = 10.0
FLAG_C = 10.0
TYPE_WEIGHT = 1.0  # scale of the type probabilities among the route model's inputs
LEX_WEIGHT = 1.0
DEFAULT_ESCALATION = 0.40
DEFAULT_FLAG = 0.5
ESCALATION_RECALL_TARGET = 0.93
LEVELS = ["RED", "ORANGE", "YELLOW"]


@dataclass
class Bundle:
    """Everything the engine needs, pickled with joblib into var/triage/model-<version>.joblib."""

    version: str
    vectorizer: object
    type_model: LogisticRegression
    route_model: LogisticRegression
    level_model: LogisticRegression
    flag_models: dict[str, LogisticRegression]
    escalation_threshold: float = DEFAULT_ESCALATION
    flag_thresholds: dict[str, float] = field(default_factory=dict)
    word_count: int = 0
    word_names: object = None
    corpus_lines: int = 0
    platform_cases: int = 0
    sklearn_version: str = sklearn.__version__
    trained_at: float = 0.0
    notes: dict = field(default_factory=dict)


def _lr(c: float, *, balanced: bool = True, binary: bool = False) -> LogisticRegression:
    if binary:
        return LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced" if balanced else None, random_state=SEED
        )
    # saga with a loose tolerance: as accurate as lbfgs on these features and several times faster.
    return LogisticRegression(
        C=c,
        solver="saga",
        tol=1e-3,
        max_iter=500,
        class_weight="balanced" if balanced else None,
        random_state=SEED,  # saga shuffles: a fixed seed makes a retraining on the same rows give the same model
    )


def type_parents(classes: list[str]) -> list[str]:
    """The national types (sub-items rolled up) of the type model's classes, in a fixed order."""
    from cases.enums import DISPUTE_PARENT

    return sorted({str(DISPUTE_PARENT.get(c, c)) for c in classes})


def type_onehot(type_proba: np.ndarray, classes: list[str], parents: list[str]) -> np.ndarray:
    """One-hot of the most probable type and of its national type (rolled up), one row per text."""
    from cases.enums import DISPUTE_PARENT

    top = type_proba.argmax(axis=1)
    out = np.zeros((len(top), len(classes) + len(parents)))
    out[np.arange(len(top)), top] = 1.0
    for i, j in enumerate(top):
        out[i, len(classes) + parents.index(str(DISPUTE_PARENT.get(classes[j], classes[j])))] = 1.0
    return out


def _route_x(
    x: sp.csr_matrix, type_proba: np.ndarray, lex_rows: np.ndarray, level_proba: np.ndarray, onehot: np.ndarray
) -> sp.csr_matrix:
    """The route model's inputs: the text's features, the type's probabilities and the one-hot of the chosen type
    (and of its national type), the level's probabilities, the lexicon."""
    dense = np.hstack([type_proba * TYPE_WEIGHT, level_proba, lex_rows, onehot])
    return sp.hstack([x, sp.csr_matrix(dense)], format="csr")


def _fit_all(
    rows: list[Row],
    x: sp.csr_matrix,
    lex: list[lexicon.LexiconResult],
    type_proba_for_route: np.ndarray,
    level_proba_for_route: np.ndarray,
) -> tuple:
    yt = np.array([r.dispute_type for r in rows])
    type_model = _lr(TYPE_C).fit(x, yt)
    route_idx = [i for i, r in enumerate(rows) if "route" in r.known and r.route]
    classes = sorted({r.dispute_type for r in rows})
    onehot = type_onehot(type_proba_for_route, classes, type_parents(classes))
    lex_rows = np.array([features.lexicon_row(res) for res in lex])
    route_model = _lr(ROUTE_C).fit(
        _route_x(
            x[route_idx],
            type_proba_for_route[route_idx],
            lex_rows[route_idx],
            level_proba_for_route[route_idx],
            onehot[route_idx],
        ),
        np.array([rows[i].route for i in route_idx]),
    )
    xl = features.with_lexicon(x, lex, LEX_WEIGHT)
    level_model = _lr(LEVEL_C).fit(xl, np.array([r.risk_level for r in rows]))
    flag_models: dict[str, LogisticRegression] = {}
    for flag in lexicon.FLAG_ORDER:
        y = np.array([flag in r.risk_flags for r in rows])
        if y.sum() >= 3 and (~y).sum() >= 3:
            flag_models[flag] = _lr(FLAG_C, binary=True).fit(xl, y)
    return type_model, route_model, level_model, flag_models


def _scan_all(rows: list[Row]) -> list[lexicon.LexiconResult]:
    return [lexicon.scan(r.text, dispute_type=r.dispute_type) for r in rows]


def _type_proba_aligned(model: LogisticRegression, x: sp.csr_matrix, classes: list[str]) -> np.ndarray:
    p = model.predict_proba(x)
    out = np.zeros((x.shape[0], len(classes)))
    for j, c in enumerate(model.classes_):
        out[:, classes.index(c)] = p[:, j]
    return out


def _oof(rows: list[Row], x: sp.csr_matrix, lex: list[lexicon.LexiconResult], classes: list[str], folds: int):
    """Out-of-fold type probabilities (for the route model's training inputs), escalation probabilities and flag
    probabilities (for the thresholds)."""
    yt = np.array([r.dispute_type for r in rows])
    type_p = np.zeros((len(rows), len(classes)))
    esc_p = np.zeros(len(rows))
    level_p = np.zeros((len(rows), len(LEVELS)))
    flag_p = {f: np.zeros(len(rows)) for f in lexicon.FLAG_ORDER}
    skf = StratifiedKFold(folds, shuffle=True, random_state=13)
    xl = features.with_lexicon(x, lex, LEX_WEIGHT)
    yl = np.array([r.risk_level for r in rows])
    for tr, te in skf.split(np.zeros(len(rows)), yt):
        m = _lr(TYPE_C).fit(x[tr], yt[tr])
        type_p[te] = _type_proba_aligned(m, x[te], classes)
        lm = _lr(LEVEL_C).fit(xl[tr], yl[tr])
        p = lm.predict_proba(xl[te])
        esc_p[te] = sum(p[:, j] for j, c in enumerate(lm.classes_) if c != "YELLOW")
        for j, c in enumerate(lm.classes_):
            level_p[te, LEVELS.index(c)] = p[:, j]
        for flag in lexicon.FLAG_ORDER:
            y = np.array([flag in rows[i].risk_flags for i in tr])
            if y.sum() >= 3 and (~y).sum() >= 3:
                fm = _lr(FLAG_C, binary=True).fit(xl[tr], y)
                flag_p[flag][te] = fm.predict_proba(xl[te])[:, list(fm.classes_).index(True)]
    return type_p, esc_p, flag_p, level_p


def _tune_escalation(rows: list[Row], lex: list[lexicon.LexiconResult], esc_p: np.ndarray) -> float:
    """The highest threshold whose out-of-fold escalation recall (model or lexicon) reaches the target."""
    truth = np.array([r.risk_level != "YELLOW" for r in rows])
    lex_esc = np.array([res.level != "YELLOW" for res in lex])
    best = 0.05
    for t in np.arange(0.05, 0.8, 0.01):
        pred = lex_esc | (esc_p >= t)
        recall = (pred & truth).sum() / max(1, truth.sum())
        if recall >= ESCALATION_RECALL_TARGET:
            best = float(t)
    return round(best, 2)


def _tune_flags(rows: list[Row], lex: list[lexicon.LexiconResult], flag_p: dict[str, np.ndarray]) -> dict:
    out: dict[str, float] = {}
    for flag in lexicon.FLAG_ORDER:
        truth = np.array([flag in r.risk_flags for r in rows])
        hit = np.array([flag in res.hits for res in lex])
        best_t, best_f1 = DEFAULT_FLAG, -1.0
        for t in np.arange(0.2, 0.95, 0.05):
            pred = hit | (flag_p[flag] >= t)
            tp = (pred & truth).sum()
            f1 = 2 * tp / max(1, pred.sum() + truth.sum())
            if f1 > best_f1 + 1e-9:
                best_t, best_f1 = float(t), f1
        out[flag] = round(best_t, 2)
    return out


def train(rows: list[Row], *, version: str = "", folds: int = 3, platform_cases: int = 0, log=None) -> Bundle:
    """Fit every model on `rows` (corpus training split, plus platform rows). folds=0: no threshold tuning (the
    fast path of the tests)."""
    t0 = time.monotonic()
    say = log or (lambda _m: None)
    texts = [r.text for r in rows]
    vec = features.make_vectorizer()
    x = vec.fit_transform(texts).tocsr()
    say(f"特征：{x.shape[0]} 条 × {x.shape[1]} 维（{time.monotonic() - t0:.1f} 秒）")
    lex = _scan_all(rows)
    classes = sorted({r.dispute_type for r in rows})
    if folds and folds >= 2:
        type_p, esc_p, flag_p, level_p = _oof(rows, x, lex, classes, folds)
        esc_t = _tune_escalation(rows, lex, esc_p)
        flag_t = _tune_flags(rows, lex, flag_p)
        say(f"交叉验证阈值：升级 {esc_t}，风险标签 {flag_t}（{time.monotonic() - t0:.1f} 秒）")
    else:
        type_p = None
        esc_t, flag_t = DEFAULT_ESCALATION, dict.fromkeys(lexicon.FLAG_ORDER, DEFAULT_FLAG)
    if type_p is None:  # fast path: in-sample probabilities stand in for the out-of-fold ones
        type_p = np.zeros((len(rows), len(classes)))
        type_p[np.arange(len(rows)), [classes.index(r.dispute_type) for r in rows]] = 1.0
        level_p = np.zeros((len(rows), len(LEVELS)))
        level_p[np.arange(len(rows)), [LEVELS.index(r.risk_level) for r in rows]] = 1.0
    type_model, route_model, level_model, flag_models = _fit_all(rows, x, lex, type_p, level_p)
    assert list(type_model.classes_) == classes
    n_words, names = features.word_slice(vec)
    if not version:
        digest = hashlib.sha1("\n".join(f"{r.id}\t{r.text}" for r in rows).encode()).hexdigest()[:8]
        version = time.strftime("%Y%m%d-%H%M%S") + "-" + digest
    say(f"训练完成（{time.monotonic() - t0:.1f} 秒）")
    return Bundle(
        version=version,
        vectorizer=vec,
        type_model=type_model,
        route_model=route_model,
        level_model=level_model,
        flag_models=flag_models,
        escalation_threshold=esc_t,
        flag_thresholds=flag_t,
        word_count=n_words,
        word_names=names,
        corpus_lines=sum(1 for r in rows if r.register != "platform"),
        platform_cases=platform_cases,
        trained_at=time.time(),
        notes={"type_parents": type_parents(classes)},
    )

"""Features of the triage classifier: TF-IDF over jieba words (triage.text.words) unioned with TF-IDF over
character n-grams (1–3, char_wb: robust to typos and to words jieba splits oddly), plus, for the risk models, the
risk lexicon's findings as a few dense columns (so the model can weigh a negated term or a calm cue)."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from triage import lexicon
from triage.text import words

WORD_PREFIX = "w__"


def analyze_words(text: str) -> list[str]:
    """The word analyzer (module level so that the fitted vectorizer pickles)."""
    return words(text)


def make_vectorizer() -> FeatureUnion:
    return FeatureUnion(
        [
            ("w", TfidfVectorizer(analyzer=analyze_words, sublinear_tf=True, min_df=1)),
            ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True)),
        ]
    )


def word_slice(vec: FeatureUnion) -> tuple[int, np.ndarray]:
    """(number of word columns, the word of each word column): the word block comes first in the union."""
    wv: TfidfVectorizer = vec.transformer_list[0][1]
    names = wv.get_feature_names_out()
    return len(names), names


LEX_COLUMNS = (
    [f"hit:{f}" for f in lexicon.FLAG_ORDER]
    + [f"neg:{f}" for f in lexicon.FLAG_ORDER]
    + ["calm", "lex_red", "lex_orange", "log_amount", "log_head"]
)


def lexicon_row(res: lexicon.LexiconResult) -> list[float]:
    hits = [1.0 if f in res.hits else 0.0 for f in lexicon.FLAG_ORDER]
    neg = [1.0 if f in res.negated else 0.0 for f in lexicon.FLAG_ORDER]
    level = res.level
    amount = math.log10(res.amount_yuan + 1) / 7 if res.amount_yuan else 0.0
    head = math.log10(res.headcount + 1) / 3 if res.headcount else 0.0
    return hits + neg + [1.0 if res.calm else 0.0, float(level == "RED"), float(level == "ORANGE"), amount, head]


def lexicon_matrix(results: list[lexicon.LexiconResult], weight: float = 1.0) -> sp.csr_matrix:
    return sp.csr_matrix(np.array([lexicon_row(r) for r in results], dtype=np.float64) * weight)


def with_lexicon(x: sp.spmatrix, results: list[lexicon.LexiconResult], weight: float = 1.0) -> sp.csr_matrix:
    return sp.hstack([x, lexicon_matrix(results, weight)], format="csr")

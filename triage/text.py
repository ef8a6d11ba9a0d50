"""Chinese segmentation shared by triage and search: jieba with its shipped dictionary plus the project's
dispute vocabulary (data/triage/userdict.txt). Nothing is downloaded; jieba's cache goes to a writable temp dir."""

from __future__ import annotations

import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import jieba

_USERDICT = Path(__file__).resolve().parent.parent / "data" / "triage" / "userdict.txt"
_lock = threading.Lock()
_ready = False

# Tokens kept for search and features: CJK runs, latin words, digit runs (phone tails, amounts).
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[a-z]+|\d+")
_SPACE = re.compile(r"\s+")


def tokenizer() -> jieba.Tokenizer:
    """The initialised jieba tokenizer (loaded once per process; about 1 s)."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(60)
                jieba.dt.tmp_dir = tempfile.gettempdir()
                jieba.dt.initialize()
                if _USERDICT.exists():
                    jieba.load_userdict(str(_USERDICT))
                _ready = True
    return jieba.dt


def _clean(text: str) -> str:
    return _SPACE.sub(" ", (text or "").lower())


def words(text: str) -> list[str]:
    """Precise-mode words (for features and reasons), punctuation and spaces dropped."""
    return [w for w in tokenizer().lcut(_clean(text)) if _TOKEN.fullmatch(w)]


def search_tokens(text: str) -> list[str]:
    """Search-mode tokens (cut_for_search: long words also yield their shorter parts, so 宅基地 matches 宅基地 and
    基地), punctuation dropped. Single CJK characters are kept: a two-character query must be found."""
    return [w for w in tokenizer().lcut_for_search(_clean(text)) if _TOKEN.fullmatch(w)]


@lru_cache(maxsize=4096)
def query_tokens(q: str) -> tuple[str, ...]:
    """Tokens of a user's query, de-duplicated in order."""
    seen: dict[str, None] = {}
    for w in search_tokens(q):
        seen.setdefault(w, None)
    return tuple(seen)

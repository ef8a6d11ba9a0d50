"""Access-log kinds are one enumeration (accounts.models.AccessKind) with Chinese labels; every writer uses it."""

import re
from pathlib import Path

from django.conf import settings

from accounts.models import AccessKind, AccessLog

ROOT = Path(settings.BASE_DIR)


def test_the_access_log_offers_exactly_the_access_kinds():
    assert list(AccessLog._meta.get_field("action").choices) == list(AccessKind.choices)
    assert all(re.search(r"[\u4e00-\u9fff]", str(k.label)) for k in AccessKind)


def test_no_writer_spells_a_kind_as_a_bare_string():
    """Every `AccessLog(...)`/`AccessLog.objects.create(...)` in the product names its kind as AccessKind.X."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "bench"} or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"AccessLog(?:\.objects\.create)?\((.*?)\)", text, re.S):
            kind = re.search(r"\baction=([^,\n)]+)", call.group(1))
            if kind and not kind.group(1).startswith(("AccessKind.", "AccessKind(")):
                offenders.append(f"{path.relative_to(ROOT)}: action={kind.group(1)}")
    assert not offenders, offenders

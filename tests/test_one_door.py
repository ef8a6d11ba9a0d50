"""Nothing outside cases/actions writes the case models, and the product never imports the demo app."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from cases.enums import CaseStatus
from cases.models import Case
from tests import one_door as O
from tests.test_settings_fail_closed import PROD
from tests.world import make_case


def test_no_product_module_writes_case_models():
    assert O.offenders() == []


def test_the_allowlist_is_short_and_each_entry_still_writes():
    assert len(O.ALLOWED) <= 3
    for rel in O.ALLOWED:
        assert (O.ROOT / rel).exists(), rel
    stale = {rel for rel in O.ALLOWED if not any(line.startswith(f"{rel}:") for line in O.offenders(allowed=set()))}
    assert stale == set()


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("Case.objects.filter(pk=1).update(status='X')", True),
        ("Party.objects.create(case=c, name='n')", True),
        ("JCRequest.objects.filter(case=c).delete()", True),
        ("Rating.objects.get_or_create(case=c)", True),
        ("case.parties.filter(user=None).update(user=u)", True),
        ("agreement.terms.create(content='x')", True),
        ("case.events.all().delete()", True),
        ("Evidence.objects.filter(draft=d).update(case=c)", False),  # a portal upload, not a case model
        ("request.user.notifications.filter(read_at=None).update(read_at=now)", False),
        ("Case.objects.filter(pk=1).exists()", False),
    ],
)
def test_the_scan_finds_the_writes_it_looks_for(db, source, flagged):
    names = {m.__name__ for m in O.case_models()}
    assert bool(O.scan(source, "x.py", names, O.related_names())) == flagged


def _run_as(rel: str, case: Case) -> None:
    """Save the case from code that says it lives at `rel` in the repository (the guard reads the stack)."""
    code = compile("def write(case):\n    case.save(update_fields=['status'])\n", str(O.ROOT / rel), "exec")
    scope: dict = {}
    exec(code, scope)  # noqa: S102
    scope["write"](case)


def test_the_guard_refuses_a_save_from_product_code_outside_the_actions(world):
    case = make_case(world, CaseStatus.INTAKE)
    case.status = CaseStatus.ACCEPTED
    with pytest.raises(O.WriteOutsideTheDoor, match="portal/views/case.py writes Case outside cases/actions"):
        _run_as("portal/views/case.py", case)
    _run_as("cases/actions/intake.py", case)  # the door itself
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_no_product_module_imports_demo():
    found = [
        path.relative_to(O.ROOT).as_posix()
        for path in O.product_files()
        if "demo" in O.imports_of(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert "demo" in settings.INSTALLED_APPS  # tests and development have the seeder


def test_production_runs_without_the_demo_app():
    """Production settings: the demo app is not installed, and importing every product module never loads it."""
    modules = []
    for path in O.product_files():
        rel = path.relative_to(O.ROOT)
        if rel.parts[0] in ("manage.py", "conftest.py") or len(rel.parts) == 1:
            continue
        modules.append(".".join(rel.with_suffix("").parts).removesuffix(".__init__"))
    code = (
        "import importlib, sys, django; django.setup(); from django.conf import settings\n"
        "assert 'demo' not in settings.INSTALLED_APPS, settings.INSTALLED_APPS\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "loaded = sorted(m for m in sys.modules if m == 'demo' or m.startswith('demo.'))\n"
        "assert not loaded, loaded\n"
        "print(len(sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k not in PROD}
    env |= {**PROD, "SMS_BACKEND": "gateway.NotImportedAtStartup", "DJANGO_SETTINGS_MODULE": "tiaojie.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=O.ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]

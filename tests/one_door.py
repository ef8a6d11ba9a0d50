"""The one door (DESIGN.md rule 1), checked two ways: a scan of the product's source for writes to the case models,
and a guard installed for the whole test session that refuses any save or delete of a case-model row unless it comes
from cases/actions (or from the tests themselves, the demo seeder, a migration).

"Product" is every .py file of the repository except tests/, demo/, bench/, migrations and the virtualenv."""

import ast
import sys
from pathlib import Path

from django.apps import apps
from django.db.models.signals import pre_delete, pre_save

ROOT = Path(__file__).resolve().parents[1]

# The case aggregate: the case, its parties and history, agreements, records, judicial confirmation, ratings,
# recusals, and the portal's joint judicial-confirmation request. Not here, on purpose: cases.Notification and
# cases.Timer (the outbox's and the clock's rows, written by notifications/ and cases/timers.py for the actions).
CASE_MODELS = [
    "cases.Case",
    "cases.Party",
    "cases.CaseEvent",
    "cases.CaseSequence",
    "cases.Agreement",
    "cases.AgreementSignature",
    "cases.AgreementTerm",
    "cases.Instalment",
    "cases.Extension",
    "cases.FollowUp",
    "cases.JudicialConfirmation",
    "cases.MediationRecord",
    "cases.PerformanceRecord",
    "cases.Rating",
    "cases.RecusalRequest",
    "portal.JCRequest",
]
WRITES = {"create", "update", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "delete", "save"}

# Product code allowed to write case-model rows outside cases/actions. Keep it short; say why.
ALLOWED = {
    # Repairs the denormalised agreement_form / party_count of Case from the records (`verify_case_facts(fix=True)`):
    # no state change and no event, the same facts the actions write, recomputed.
    "insights/checks.py",
}
# Where a write is the one door itself, or is not product code.
DOOR = ("cases/actions/",)
NOT_PRODUCT = ("tests/", "demo/", "bench/")


def case_models() -> list:
    return [apps.get_model(label) for label in CASE_MODELS]


def related_names() -> set[str]:
    """The reverse accessors between case models (case.parties, agreement.terms, ...): writes through them count."""
    models = set(case_models())
    names = set()
    for model in models:
        for rel in model._meta.related_objects:
            if rel.related_model in models and rel.get_accessor_name() and not rel.get_accessor_name().endswith("+"):
                names.add(rel.get_accessor_name())
    return names


def product_files() -> list[Path]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "var", "node_modules", "migrations", "__pycache__"} or rel.startswith(NOT_PRODUCT):
            continue
        if rel == "conftest.py":
            continue
        out.append(path)
    return out


def _chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """The root name and the attribute names of `Root.a.b(...).c`, innermost last."""
    attrs: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return (node.id if isinstance(node, ast.Name) else None), attrs


def scan(source: str, label: str, model_names: set[str], accessors: set[str]) -> list[str]:
    """`Model.objects...write(...)` for a case model, or `x.<case relation>...write(...)`, in one file's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES):
            continue
        root, attrs = _chain(node.func.value)
        via_manager = root in model_names and ("objects" in attrs or node.func.attr in ("save", "delete"))
        via_relation = bool(accessors & set(attrs))
        if via_manager or via_relation:
            found.append(f"{label}:{node.lineno}: {ast.unparse(node)[:100]}")
    return found


def offenders(*, allowed: set[str] = ALLOWED) -> list[str]:
    names = {m.__name__ for m in case_models()}
    accessors = related_names()
    found = []
    for path in product_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(DOOR) or rel in allowed:
            continue
        found += scan(path.read_text(encoding="utf-8"), rel, names, accessors)
    return found


# --- the guard at run time -------------------------------------------------------------------------------------


class WriteOutsideTheDoor(AssertionError):
    pass


def _caller() -> str | None:
    """The repository file nearest to the save on the stack, skipping the models' own save() (and their
    append-only base) and Django itself."""
    frame = sys._getframe(2)
    root = str(ROOT) + "/"
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(root) and "/.venv/" not in name and "site-packages" not in name:
            rel = name[len(root) :]
            if not rel.startswith(("cases/models/", "tiaojie/models.py", "tests/one_door.py")):
                return rel
        frame = frame.f_back
    return None


def _allowed(rel: str | None) -> bool:
    if rel is None:  # not called from the repository at all (Django's own machinery, e.g. the test database)
        return True
    return rel.startswith(DOOR + NOT_PRODUCT) or "/migrations/" in rel or rel in ALLOWED or rel == "conftest.py"


def _guard(sender, instance=None, raw: bool = False, **kwargs) -> None:
    if raw:  # fixtures loaded by loaddata
        return
    rel = _caller()
    if not _allowed(rel):
        raise WriteOutsideTheDoor(
            f"{rel} writes {sender.__name__} outside cases/actions: every change of a case goes through a do_* action"
        )


def install_guard() -> None:
    for model in case_models():
        pre_save.connect(_guard, sender=model, weak=False, dispatch_uid=f"one-door-save-{model._meta.label}")
        pre_delete.connect(_guard, sender=model, weak=False, dispatch_uid=f"one-door-delete-{model._meta.label}")


def uninstall_guard() -> None:
    for model in case_models():
        pre_save.disconnect(sender=model, dispatch_uid=f"one-door-save-{model._meta.label}")
        pre_delete.disconnect(sender=model, dispatch_uid=f"one-door-delete-{model._meta.label}")


def imports_of(source: str) -> set[str]:
    """The top-level package of every import in a module's source (at any depth of the module)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found

"""Every URL of the registry's administration pages (issue 9 §1, §2), read from the URL modules themselves, so that a
page added later is in the jurisdiction, GET-is-safe and CSRF tests without anyone remembering to list it."""

from django.urls import URLPattern, reverse

from accounts.models import User
from registry import urls_orgs, urls_people, urls_staffing
from registry.models import FilingDocument, Mediator
from tests.world import World

MODULES = (urls_orgs, urls_people, urls_staffing)


def registry_patterns() -> list[URLPattern]:
    return [p for module in MODULES for p in module.urlpatterns if isinstance(p, URLPattern) and p.name]


def filing_document(world: World) -> FilingDocument:
    """A 备案 file of village A (its stored file does not exist: a download is a 404 after the scope check)."""
    return FilingDocument.objects.create(
        committee=world.village_a,
        title="设立文件",
        stored_path="filing/000000/missing.pdf",
        original_name="设立文件.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=world.county_admin,
    )


def object_for(world: World, route: str) -> int:
    """The pk that a route's <int:pk> takes: an object of 温泉街道 village A (咸安区) for each kind of page."""
    if route.startswith("committees/"):
        return world.village_a.pk
    if route.startswith("mediators/"):
        return Mediator.objects.get(user=world.mediator_a).pk
    if route.startswith("accounts/"):
        return world.mediator_a.pk
    if route.startswith("filing-files/"):
        doc = FilingDocument.objects.filter(committee=world.village_a).first() or filing_document(world)
        return doc.pk
    raise AssertionError(f"tests/registry/urls_helpers.py: say which object the registry URL {route!r} takes")


# The other path arguments: a roster template's kind, and a preview token that was never issued (a 404 after the
# access check, for everyone).
STRING_ARGS = {"<str:kind>": "committees", "<str:token>": "never-issued-token"}


def registry_urls(world: World) -> list[tuple[str, str]]:
    """(name, url) of every registry page, each on an object of village A."""
    result = []
    for pattern in registry_patterns():
        route = str(pattern.pattern)
        args: list[object] = [object_for(world, route)] if "<int:pk>" in route else []
        args += [value for marker, value in STRING_ARGS.items() if marker in route]
        result.append((pattern.name, reverse(f"console:{pattern.name}", args=args)))
    return result


def state() -> tuple:
    """What a GET or a refused POST must leave as it was."""
    from registry.models import Committee, RegistryChange

    return (
        RegistryChange.objects.count(),
        FilingDocument.objects.count(),
        sorted(Committee.objects.values_list("pk", "name", "is_active", "filing_number")),
        sorted(Mediator.objects.values_list("pk", "name", "is_active", "user_id")),
        sorted(User.objects.values_list("pk", "password", "is_active", "must_change_password", "role")),
    )

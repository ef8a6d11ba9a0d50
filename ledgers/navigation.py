"""The ledgers' menu entries. Each ledger app registers one provider (in its AppConfig.ready or at import); the
top navigation (accounts.navigation) shows what the providers return in one drop-down. An entry whose URL does
not exist is left out by accounts.navigation."""

from collections.abc import Callable

from accounts.models import User
from ledgers.scoping import LedgerAccess, access_of, can_see_summaries

MenuEntry = tuple[str, str, str]  # label, URL name, Bootstrap icon
Provider = Callable[[User, LedgerAccess, bool], list[MenuEntry]]
_PROVIDERS: list[Provider] = []


def register_menu(provider: Provider) -> Provider:
    """Register a function (user, access, summaries) → entries. `summaries`: the user may see summaries."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def ledger_menu_entries(user: User) -> list[MenuEntry]:
    if not (user.is_authenticated and user.is_active):
        return []
    access = access_of(user)
    summaries = can_see_summaries(user)
    if not access.has_roles and not summaries:
        return []
    entries: list[MenuEntry] = []
    for provider in _PROVIDERS:
        entries += provider(user, access, summaries)
    return entries


@register_menu
def _proposals(user: User, access: LedgerAccess, summaries: bool) -> list[MenuEntry]:
    entries: list[MenuEntry] = []
    if access.has_roles:
        entries.append(("建议提案办理", "ledgers:proposals", "bi-journal-check"))
    if summaries:
        entries.append(("建议提案办理年报", "ledgers:proposal_report", "bi-file-earmark-bar-graph"))
    from ledgers.views import manages_bureaus

    if manages_bureaus(user):
        entries.append(("科室与台账职责", "ledgers:roles", "bi-person-gear"))
    return entries


__all__ = ["MenuEntry", "ledger_menu_entries", "register_menu"]

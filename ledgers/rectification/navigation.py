"""The rectification ledger's menu entries (ledgers.navigation): the ledger for its roles, the bureaus' summaries
for whoever may see them."""

from accounts.models import User
from ledgers.navigation import MenuEntry, register_menu
from ledgers.scoping import LedgerAccess


@register_menu
def rectification_entries(user: User, access: LedgerAccess, summaries: bool) -> list[MenuEntry]:
    if access.has_roles or summaries:
        return [("整改台账", "rectification:home", "bi-clipboard-check")]
    return []

"""Who hears of what, from configuration (data/notice_rules.json, documented in data/README.md).

Three questions, each answered per jurisdiction where the file has an override for a division-code prefix (the
longest matching prefix wins, key by key):
- which kinds of notice a role receives (the preference page lists those);
- which of them go out by SMS as well when a person has not chosen (the default of NoticePreference);
- which supervisor roles are told of a kind (notify_supervisors).
The file also holds what a party reads for each step of their case ("party_texts", notifications.party_texts).
"""

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.enums import NoticeKind


def rules_path() -> Path:
    return Path(settings.TIAOJIE["NOTICE_RULES"])


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    _check(data, path)
    return data


def _check(data: dict[str, Any], path: str) -> None:
    """Refuse a file that names a kind or role that does not exist: a typo would silently tell nobody."""
    from accounts.models import Role

    kinds, roles = set(NoticeKind.values), set(Role.values)

    def bad(msg: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{path}: {msg}")

    def check_roles_block(block: dict[str, Any]) -> None:
        for role, entry in block.items():
            if role not in roles:
                raise bad(f"unknown role {role!r}")
            for key in ("kinds", "sms"):
                unknown = set(entry.get(key, [])) - kinds
                if unknown:
                    raise bad(f"unknown kinds {sorted(unknown)} for {role}")

    def check_supervisors(block: dict[str, Any]) -> None:
        for kind, named in block.items():
            if kind != "default" and kind not in kinds:
                raise bad(f"unknown kind {kind!r} in supervisors")
            if set(named) - roles:
                raise bad(f"unknown roles {sorted(set(named) - roles)} for {kind}")

    check_roles_block(data.get("roles", {}))
    check_supervisors(data.get("supervisors", {}))
    if "party_texts" in data:
        from notifications.party_texts import check_party_texts

        check_party_texts(data["party_texts"], path)
    for prefix, override in data.get("jurisdictions", {}).items():
        if not prefix.isdigit():
            raise bad(f"jurisdiction key {prefix!r} is not a division code prefix")
        check_roles_block(override.get("roles", {}))
        check_supervisors(override.get("supervisors", {}))


def rules() -> dict[str, Any]:
    return _load(str(rules_path()))


def _overrides(division_code: str) -> list[dict[str, Any]]:
    """The jurisdiction overrides matching `division_code`, most specific first."""
    found = [
        (len(prefix), block)
        for prefix, block in rules().get("jurisdictions", {}).items()
        if division_code and division_code.startswith(prefix)
    ]
    return [block for _, block in sorted(found, key=lambda x: -x[0])]


def _role_entry(role: str, key: str, division_code: str) -> list[str]:
    for block in _overrides(division_code):
        entry = block.get("roles", {}).get(role, {})
        if key in entry:
            return list(entry[key])
    return list(rules().get("roles", {}).get(role, {}).get(key, []))


def kinds_for_role(role: str, division_code: str = "") -> list[str]:
    """The kinds of notice a person of `role` receives, in the file's order (the preference page's rows)."""
    return _role_entry(role, "kinds", division_code)


def sms_by_default(role: str, kind: str, division_code: str = "") -> bool:
    """Whether `kind` goes out by SMS as well for a person of `role` who has not chosen."""
    return kind in _role_entry(role, "sms", division_code)


def supervisor_roles(kind: str, division_code: str = "") -> list[str]:
    """The supervisor roles told of `kind` about something in `division_code` ("default" for unlisted kinds)."""
    for block in [*_overrides(division_code), rules()]:
        named = block.get("supervisors", {})
        if kind in named:
            return list(named[kind])
    return list(rules().get("supervisors", {}).get("default", []))


def user_division_code(user) -> str:
    """A person's jurisdiction for the rules: a supervisor's division, a committee member's committee division,
    nothing for parties and courts (the base rules apply)."""
    if getattr(user, "division_id", None):
        return user.division_id
    if getattr(user, "committee_id", None):
        return user.committee.division_id or ""
    return ""

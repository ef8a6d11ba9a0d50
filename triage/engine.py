"""Placeholder until the trained engine lands (owned by the engine helper): everything is OTHER / YELLOW."""

from __future__ import annotations

from triage.service import Suggestion


class _Stub:
    version = "stub"

    def suggest(self, text: str, **_kw: object) -> Suggestion:
        return Suggestion("OTHER", 0.0, "YELLOW", 0.0, [], "VILLAGE_COMMITTEE", 0.0, {}, self.version)


def get() -> _Stub:
    return _Stub()

"""The demo's suggestions and proposals (issue 16): one year's items shaped like the Xianning 2021 report."""

from datetime import datetime
from typing import Any


def seed_proposals(city: Any, now: datetime, *, stdout: Any = None) -> dict[str, int]:
    """Seed the city bureau's departments, ledger roles and the year's items. Returns the counts printed."""
    return {}

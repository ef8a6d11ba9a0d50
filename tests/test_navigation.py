"""Every menu entry leads to a page its user may open (no link to a 403 or 404)."""

import pytest

from accounts.navigation import menu_for
from tests.world import PERSONAS


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_entry_opens(world, client, persona):
    user = world.personas()[persona]
    client.force_login(user)
    items = menu_for(user)
    assert items
    for item in items:
        for entry in item.children or (item,):
            assert client.get(entry.url, follow=True).status_code == 200, (persona, entry.label, entry.url)

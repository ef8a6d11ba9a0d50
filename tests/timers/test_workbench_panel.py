"""The workbench's 到期提醒 panel: a mediator sees the deadlines of the cases they mediate, the director those of
the whole committee, nobody another committee's; the reminders received are listed."""

import time_machine

from tests.timers.helpers import dt, open_case, scan


def _panel(client, user) -> str:
    client.force_login(user)
    with time_machine.travel(dt(2026, 11, 27, 9), tick=False):
        page = client.get("/workbench/").content.decode()
    start = page.index('id="deadlines-panel"')
    return page[start : page.index("全部通知", start)]


def test_the_panel_lists_upcoming_deadlines_and_reminders_by_scope(world, client):
    mine = open_case(world, dt(2026, 11, 2))
    colleagues = open_case(world, dt(2026, 11, 3), presiding=world.mediator_a2)
    other = open_case(world, dt(2026, 11, 2), at_committee="b")
    scan(dt(2026, 11, 27, 8))

    panel = _panel(client, world.mediator_a)
    assert "到期提醒" in panel and "调解期限" in panel and mine.case_no in panel and "12月2日 还有5天" in panel
    assert colleagues.case_no not in panel and other.case_no not in panel
    assert f"您承办的案件{mine.case_no}调解期限将于12月2日（还有5天）届满" in panel and "1条未读" in panel

    panel = _panel(client, world.director_a)
    assert mine.case_no in panel and colleagues.case_no in panel and other.case_no not in panel
    assert f"本调委会案件{mine.case_no}" in panel

    panel = _panel(client, world.mediator_b)
    assert other.case_no in panel and mine.case_no not in panel
    assert "暂无提醒" not in panel  # mediator_b's own case was reminded too


def test_an_empty_panel_says_so_in_chinese(world, client):
    panel = _panel(client, world.mediator_c)
    assert "未来30天没有到期事项" in panel and "暂无提醒" in panel

from django.urls import NoReverseMatch, reverse

from accounts.models import Role, User


def menu_for(user: User) -> list[tuple[str, str, str]]:
    """(label, url, icon) entries of the top navigation, by role."""
    if user.role in (Role.MEDIATOR, Role.DIRECTOR):
        return [
            ("工作台", reverse("workbench:home"), "bi-house"),
            ("登记纠纷", reverse("workbench:register"), "bi-plus-circle"),
            ("案件", reverse("workbench:cases"), "bi-folder2-open"),
        ]
    if user.role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        items = [
            ("总览", reverse("console:home"), "bi-speedometer2"),
            ("案件", reverse("console:cases"), "bi-folder2-open"),
            ("调解组织", reverse("console:committees"), "bi-building"),
            ("调解员", reverse("console:mediators"), "bi-people"),
        ]
        items += _optional(
            ("统计", "insights:dashboard", "bi-bar-chart"),
            ("报表", "insights:monthly_form", "bi-table"),
            ("录入通报", "supervision:entry_notice", "bi-megaphone"),
            ("卷宗评查", "supervision:spot_checks", "bi-clipboard-check"),
            ("台账导入", "imports:upload", "bi-upload"),
        )
        items.append(("节假日", reverse("console:holidays"), "bi-calendar3"))
        return items
    if user.role == Role.COURT_LIAISON:
        return [("司法确认与委派案件", reverse("console:cases"), "bi-bank")]
    return [("我的案件", reverse("cases:mine"), "bi-folder2-open")]


def _optional(*entries: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """Menu entries whose page exists (a URL name not (yet) defined is left out rather than breaking the menu)."""
    items = []
    for label, name, icon in entries:
        try:
            items.append((label, reverse(name), icon))
        except NoReverseMatch:
            continue
    return items

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from accounts.models import Role, User
from ledgers.navigation import ledger_menu_entries


@dataclass(frozen=True)
class MenuItem:
    """One entry of the top navigation: a link, or a drop-down group of links (url empty, children set)."""

    label: str
    url: str
    icon: str
    children: tuple["MenuItem", ...] = field(default=())


def _item(label: str, name: str, icon: str) -> MenuItem | None:
    """A link to a named URL, or None when the page does not exist (an app not installed in this deployment)."""
    try:
        return MenuItem(label, reverse(name), icon)
    except NoReverseMatch:
        return None


def _group(label: str, icon: str, *entries: tuple[str, str, str]) -> list[MenuItem]:
    children = tuple(item for item in (_item(*e) for e in entries) if item)
    if not children:
        return []
    return [children[0]] if len(children) == 1 else [MenuItem(label, "", icon, children)]


def _links(*entries: tuple[str, str, str]) -> list[MenuItem]:
    return [item for item in (_item(*e) for e in entries) if item]


def menu_for(user: User) -> list[MenuItem]:
    """The top navigation, by role. Supervisors' pages are grouped so that the bar fits one line on a desktop."""
    if user.role in (Role.MEDIATOR, Role.DIRECTOR):
        items = _links(
            ("工作台", "workbench:home", "bi-house"),
            ("登记纠纷", "workbench:register", "bi-plus-circle"),
            ("案件", "workbench:cases", "bi-folder2-open"),
            ("检索", "search:home", "bi-search"),  # issue 13: full-text search within the user's jurisdiction
            ("我的预约", "messaging:availability", "bi-calendar-check"),
        )
        # Issue 11: what institutions referred to the committee and what a 矛调中心 dispatched to it share one
        # drop-down, so that the bar keeps to one line; a 矛调中心's members also watch the clocks (h-board) and the
        # same dispute arriving twice (h-joint, §5), and have the one intake window first.
        linkage = [
            ("移送纠纷", "console:referrals", "bi-inbox"),
            ("分流交办", "console:dispatches", "bi-arrow-left-right"),
        ]
        hub = bool(user.committee_id and user.committee.is_hub)
        if hub:
            linkage += [
                ("对接时限监督", "console:referral_board", "bi-stopwatch"),
                ("疑似重复纠纷", "console:duplicates", "bi-intersect"),
            ]
        items += _group("多元化解", "bi-inbox", *linkage)
        if hub:
            items = _links(("统一受理", "console:hub", "bi-signpost-split")) + items
        # Issue 12: the unit's screening reports (zero report with one tap) and its risks.
        items += _group(
            "排查预警",
            "bi-binoculars",
            ("排查报告", "screening:home", "bi-binoculars"),
            ("风险预警", "screening:risks", "bi-exclamation-triangle"),
        )
        if user.role == Role.DIRECTOR:  # the committee's spot-check results and ledger import are the director's
            items += _links(
                ("评查结果", "supervision:committee_results", "bi-clipboard-check"),
                ("台账导入", "imports:upload", "bi-upload"),
            )
        return items
    if user.role in (Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN):
        items = _links(
            ("总览", "console:home", "bi-speedometer2"),
            ("案件", "console:cases", "bi-folder2-open"),
            ("检索", "search:home", "bi-search"),
        )
        items += _group(
            "统计报表",
            "bi-bar-chart",
            ("统计分析", "insights:dashboard", "bi-bar-chart"),
            ("人民调解工作统计表", "insights:monthly_form", "bi-table"),
            ("三统一核对", "supervision:reconciliation", "bi-check2-square"),
        )
        checks = [
            ("超期督办", "supervision:overdue", "bi-alarm"),
            ("督办台账", "supervision:ledger", "bi-journal-text"),
            ("录入情况通报", "supervision:entry_notice", "bi-megaphone"),
        ]
        if user.role != Role.SFS_OFFICER:  # spot checks are drawn and scored by the county and city bureaus
            checks.append(("卷宗评查", "supervision:spot_checks", "bi-clipboard-check"))
        # Issue 16: the bureau's two ledgers (建议提案办理, 整改台账), for their roles and the bureaus' summaries; in
        # this drop-down, so that the bar keeps to one line.
        checks += ledger_menu_entries(user)
        items += _group("督导检查", "bi-clipboard-check", *checks)
        # Issue 12: screening, zero reports, early warning and the screening form.
        screening = [
            ("风险预警", "screening:risks", "bi-exclamation-triangle"),
            ("排查报送情况", "screening:compliance", "bi-list-check"),
            ("研判会议", "screening:meetings", "bi-people"),
            ("排查情况表", "screening:forms", "bi-table"),
            ("专项排查", "screening:campaigns", "bi-flag"),
        ]
        # The policy is set by the county (and the city, as its default); the 司法所 reads it.
        screening.append(("排查制度", "screening:policies", "bi-gear"))
        items += _group("排查预警", "bi-binoculars", *screening)
        items += _group(
            "组织与人员",
            "bi-building",
            ("调解组织", "console:committees", "bi-building"),
            ("调解员", "console:mediators", "bi-people"),
            # Issue 9's administration pages (each appears once its URL exists).
            ("登录账号", "console:registry_accounts", "bi-person-badge"),
            ("任期提醒", "console:registry_terms", "bi-hourglass-split"),
            ("配备情况", "console:registry_staffing", "bi-diagram-3"),
            ("名册导入", "console:registry_import", "bi-file-earmark-spreadsheet"),
            ("变更记录", "console:registry_changes", "bi-clock-history"),
        )
        # Issue 11: referrals from courts and departments, their clocks; the API's clients and webhooks.
        linkage = [
            ("移送纠纷", "console:referrals", "bi-inbox"),
            ("对接时限监督", "console:referral_board", "bi-stopwatch"),
            ("疑似重复纠纷", "console:duplicates", "bi-intersect"),
            ("分流交办", "console:dispatches", "bi-arrow-left-right"),
        ]
        if user.role != Role.SFS_OFFICER:  # clients and endpoints are administered by the county and city bureaus
            linkage += [
                ("接口客户端", "console:api_clients", "bi-key"),
                ("推送记录", "console:webhook_deliveries", "bi-broadcast"),
            ]
        items += _group("多元化解", "bi-diagram-2", *linkage)
        data = [("节假日", "console:holidays", "bi-calendar3")]
        if user.role == Role.CITY_ADMIN:  # issue 13: the triage model in use and its evaluation
            data.append(("智能分流模型", "triage:model", "bi-cpu"))
        if user.role != Role.SFS_OFFICER:  # legacy ledgers are imported by the county and city bureaus
            data.insert(0, ("台账导入", "imports:upload", "bi-upload"))
            data.append(("短信发送记录", "notifications:delivery_log", "bi-send"))
        items += _group("数据", "bi-database", *data)
        return items
    if user.role == Role.COURT_LIAISON:
        return _links(
            ("司法确认申请", "console:court_queue", "bi-hourglass"),
            ("司法确认与委派案件", "console:cases", "bi-bank"),
            ("检索", "search:home", "bi-search"),
            ("委派委托调解", "console:referrals", "bi-send"),
            ("新建委派", "console:referral_new", "bi-plus-circle"),
        )
    if user.role == Role.INSTITUTION_LIAISON:
        items = _links(
            ("移送纠纷", "console:referrals", "bi-send"),
            ("新建移送", "console:referral_new", "bi-plus-circle"),
            ("交办事项", "console:dispatches", "bi-arrow-left-right"),
        )
        # Issue 12: the risks pushed to a police station (PML art. 25).
        if user.institution_id and user.institution.kind == "POLICE":
            items += _links(("风险预警", "screening:risks", "bi-exclamation-triangle"))
        return items
    if user.role == Role.GOVERNANCE_OFFICER:  # issue 12: the township's party committee and government / 综治中心
        return _links(
            ("风险预警", "screening:risks", "bi-exclamation-triangle"),
            ("区域研判", "screening:risk_areas", "bi-diagram-3"),
            ("研判会议", "screening:meetings", "bi-people"),
        )
    if user.role == Role.API_CLIENT:
        return []
    return _links(
        ("我的案件", "portal:cases", "bi-folder2-open"),
        ("申请调解", "portal:apply", "bi-pencil-square"),
        ("调解组织名册", "portal:roster", "bi-people"),
    )

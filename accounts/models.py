"""Users and roles. A user's jurisdiction is derived from role + committee/division/court (see accounts.scoping)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiaojie.models import AppendOnlyModel


class Role(models.TextChoices):
    PARTY = "PARTY", _("当事人")
    MEDIATOR = "MEDIATOR", _("调解员")
    DIRECTOR = "DIRECTOR", _("调委会主任")
    SFS_OFFICER = "SFS_OFFICER", _("司法所工作人员")
    COUNTY_ADMIN = "COUNTY_ADMIN", _("县级司法局管理员")
    CITY_ADMIN = "CITY_ADMIN", _("市级司法局管理员")
    COURT_LIAISON = "COURT_LIAISON", _("法院联络员")
    # issue 11: a liaison of a police station, petition office, the 12345 centre or another department
    # (User.institution), and the account an institution's API client acts as (api.ApiClient.service_user: no
    # password, cannot sign in).
    INSTITUTION_LIAISON = "INSTITUTION_LIAISON", _("部门联络员")
    API_CLIENT = "API_CLIENT", _("机构接口账号")
    # issue 12: an officer of a township's party committee and government / 综治中心 (User.division = the
    # township): receives and acknowledges the risks escalated to that rung; sees risks of the area, not cases.
    GOVERNANCE_OFFICER = "GOVERNANCE_OFFICER", _("综治中心（党委政府）工作人员")


COMMITTEE_ROLES = {Role.MEDIATOR, Role.DIRECTOR}
SUPERVISOR_ROLES = {Role.SFS_OFFICER, Role.COUNTY_ADMIN, Role.CITY_ADMIN}


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.PARTY)
    committee = models.ForeignKey(
        "registry.Committee",
        verbose_name=_("所属调委会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    division = models.ForeignKey(
        "registry.Division",
        verbose_name=_("管辖区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    court = models.ForeignKey(
        "registry.Court",
        verbose_name=_("所属法院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    # issue 11: the institution a court or department liaison (or an API client's service account) belongs to.
    institution = models.ForeignKey(
        "referrals.Institution",
        verbose_name=_("所属对接机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    # An initial or reset password: the user must choose their own before doing anything else (等保 level 3).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_committee_member(self) -> bool:
        return self.role in COMMITTEE_ROLES

    @property
    def is_supervisor(self) -> bool:
        return self.role in SUPERVISOR_ROLES


class AccessKind(models.TextChoices):
    """What an access-log row records. The values are those stored before this enumeration existed (two of them
    in lower case), so no row had to be rewritten."""

    VIEW_CASE = "VIEW_CASE", _("查看案件")
    VIEW_ID_NUMBER = "VIEW_ID_NUMBER", _("查看完整身份证号码")
    PRINT_ID_NUMBER = "PRINT_ID_NUMBER", _("打印完整身份证号码")
    EXPORT_DOCUMENT = "EXPORT_DOCUMENT", _("下载文书")
    EXPORT_CASES = "export_cases", _("导出案件清单")
    IMPORT_ERROR_REPORT = "import_error_report", _("下载导入错误报告")
    TRANSFER_PERSONAL_DATA = "TRANSFER_PERSONAL_DATA", _("移交个人信息")
    DOWNLOAD_ATTACHMENT = "DOWNLOAD_ATTACHMENT", _("下载消息附件")
    DOWNLOAD_EVIDENCE = "DOWNLOAD_EVIDENCE", _("下载证据材料")
    VIEW_PROTECTED_CASE = "VIEW_PROTECTED_CASE", _("查看受特别保护当事人的完整信息")
    EXPORT_DUBAN_LEDGER = "EXPORT_DUBAN_LEDGER", _("导出督办台账")
    CHANGE_PASSWORD = "CHANGE_PASSWORD", _("修改密码")
    ENROL_TOTP = "ENROL_TOTP", _("启用两步验证")
    TOTP_FAILED = "TOTP_FAILED", _("动态口令连续输错")
    RESET_TOTP = "RESET_TOTP", _("重置两步验证")
    VIEW_PHONE = "VIEW_PHONE", _("查看完整电话号码")
    VIEW_THREAD = "VIEW_THREAD", _("查看案件消息")
    VIEW_CASE_LIST = "VIEW_CASE_LIST", _("查看案件列表")
    VIEW_DRILLDOWN = "VIEW_DRILLDOWN", _("查看统计明细案件")
    VIEW_SPOT_CHECK = "VIEW_SPOT_CHECK", _("查看抽查评分案件")
    RESET_PASSWORD = "RESET_PASSWORD", _("重置他人密码")
    DOWNLOAD_SCAN = "DOWNLOAD_SCAN", _("下载卷宗扫描件")
    VIEW_MEDIATOR_ID = "VIEW_MEDIATOR_ID", _("查看调解员身份证号码")
    DOWNLOAD_FILING = "DOWNLOAD_FILING", _("下载备案材料")
    # issue 11: referrals and the API
    VIEW_REFERRAL = "VIEW_REFERRAL", _("查看移送纠纷当事人信息")
    DOWNLOAD_REFERRAL_FILE = "DOWNLOAD_REFERRAL_FILE", _("下载移送材料")
    API_READ = "API_READ", _("接口读取个人信息")
    API_CLIENT_SECRET = "API_CLIENT_SECRET", _("生成或更换接口密钥")


class AccessLog(AppendOnlyModel):
    """Every view of a full identity number or export of personal data (个人信息保护法, 等保). Append-only: it is
    evidence."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(_("类别"), max_length=40, choices=AccessKind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("cases.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("个人信息访问日志")
        verbose_name_plural = _("个人信息访问日志")


class TotpDevice(models.Model):
    """A user's authenticator app (accounts.totp): the sealed secret, when it was confirmed with a first code, and
    the last step used (a code is accepted once). Removed on recovery (manage.py reset_totp); re-enrolment then
    starts over with a new secret."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret_sealed = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("动态口令")
        verbose_name_plural = _("动态口令")

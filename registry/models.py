"""Administrative divisions, mediation committees, mediators and courts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import identity
from tiaojie.models import AppendOnlyModel


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县/区")
    TOWNSHIP = 4, _("乡镇/街道")
    VILLAGE = 5, _("村/社区")


class Division(models.Model):
    """A national administrative division (统计用区划代码). Codes are hierarchical prefixes:
    province 2 digits, city 4, county 6, township 9, village 12 — so 'inside X' is `code__startswith`."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"), choices=DivisionLevel.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Division"]:
        chain: list[Division] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        return "".join(d.name for d in self.ancestors()[1:]) + self.name


class CommitteeType(models.TextChoices):
    """mediation-domain.md §5.3 (statistics 'host' types)."""

    VILLAGE = "VILLAGE", _("村调委会")
    RESIDENT = "RESIDENT", _("居（社区）调委会")
    TOWNSHIP = "TOWNSHIP", _("乡镇调委会")
    SUBDISTRICT = "SUBDISTRICT", _("街道调委会")
    ENTERPRISE_INSTITUTION = "ENTERPRISE_INSTITUTION", _("企事业单位调委会")
    SOCIAL_ORG_OTHER = "SOCIAL_ORG_OTHER", _("社会团体和其他组织调委会")


class CommitteeKind(models.TextChoices):
    """The organisational form shown in the registry, orthogonal to the statistics type."""

    STANDARD = "STANDARD", _("调解委员会")
    INDUSTRY = "INDUSTRY", _("行业性专业性调委会")
    CENTRE = "CENTRE", _("调解中心")
    STUDIO = "STUDIO", _("个人调解工作室")


class Industry(models.TextChoices):
    NONE = "", _("—")
    MEDICAL = "MEDICAL", _("医疗")
    TRAFFIC = "TRAFFIC", _("交通事故")
    LABOR = "LABOR", _("劳动争议")
    PROPERTY = "PROPERTY", _("物业")
    CONSUMER = "CONSUMER", _("消费")
    MARRIAGE = "MARRIAGE", _("婚姻家庭")
    OTHER = "OTHER", _("其他")


class Committee(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称（用于案号）"), max_length=20, unique=True)
    committee_type = models.CharField(_("类型"), max_length=30, choices=CommitteeType.choices)
    kind = models.CharField(_("组织形式"), max_length=20, choices=CommitteeKind.choices, default=CommitteeKind.STANDARD)
    industry = models.CharField(_("行业领域"), max_length=20, choices=Industry.choices, blank=True, default="")
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="committees"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    is_regional = models.BooleanField(_("区域性"), default=False)
    is_stationed = models.BooleanField(_("派驻"), default=False)
    stationed_at = models.CharField(_("派驻单位"), max_length=100, blank=True)
    court_invited = models.BooleanField(_("特邀调解组织"), default=False)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    # 个人调解工作室: named after the mediator who leads it (domain §5.3).
    studio_person = models.CharField(_("工作室领衔调解员"), max_length=50, blank=True)
    # 企事业单位调委会: the host's headcount (enterprises of 300+ employees must set one up).
    employee_count = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    host_unit = models.CharField(_("设立单位"), max_length=100, blank=True)
    # 备案 with the justice bureau.
    filing_date = models.DateField(_("备案日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=50, blank=True)
    filing_authority = models.CharField(_("备案机关"), max_length=100, blank=True)
    # issue 11 §4: a 矛调中心 / 调处中心 (township or county): one intake window that triages and dispatches.
    is_hub = models.BooleanField(_("矛调中心（统一受理、分流交办）"), default=False)
    is_active = models.BooleanField(_("在用"), default=True)
    deactivated_on = models.DateField(_("撤销日期"), null=True, blank=True)
    deactivation_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("调解组织")
        verbose_name_plural = _("调解组织")

    def __str__(self) -> str:
        return self.name


class MediatorCategory(models.TextChoices):
    FULL_TIME = "FULL_TIME", _("专职")
    PART_TIME = "PART_TIME", _("兼职")


class MediatorRole(models.TextChoices):
    DIRECTOR = "DIRECTOR", _("主任")
    DEPUTY = "DEPUTY", _("副主任")
    MEMBER = "MEMBER", _("委员")
    HIRED = "HIRED", _("聘任调解员")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Mediator(models.Model):
    committee = models.ForeignKey(
        Committee, verbose_name=_("调委会"), on_delete=models.PROTECT, related_name="mediators"
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediator",
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    role = models.CharField(_("职务"), max_length=20, choices=MediatorRole.choices, default=MediatorRole.MEMBER)
    category = models.CharField(_("专兼职"), max_length=20, choices=MediatorCategory.choices)
    term_start = models.DateField(_("任期开始"), null=True, blank=True)
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    specialties = models.CharField(_("擅长领域"), max_length=200, blank=True)
    is_court_invited = models.BooleanField(_("特邀调解员"), default=False)
    qualifications = models.CharField(_("资质与培训"), max_length=200, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    id_number_encrypted = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, blank=True)
    is_active = models.BooleanField(_("在任"), default=True)
    left_on = models.DateField(_("离任日期"), null=True, blank=True)
    left_reason = models.CharField(_("离任原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["committee_id", "name"]
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        """Stores an ID number encrypted, hashed and masked (as cases.Party does). Check it first with
        cases.identity.validate_id_number."""
        self.id_number_encrypted, self.id_number_hash, self.id_number_masked = identity.stored_id_number(value)


class FilingDocument(models.Model):
    """A document of a committee's 备案 (设立文件, 人员名单, 批复…), stored under PRIVATE_FILES_ROOT."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="filing_documents")
    title = models.CharField(_("文件名称"), max_length=100)
    stored_path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_withdrawn = models.BooleanField(_("已撤回"), default=False)

    class Meta:
        ordering = ["committee_id", "uploaded_at", "id"]
        verbose_name = _("备案材料")
        verbose_name_plural = _("备案材料")

    def __str__(self) -> str:
        return self.title


class ChangeSubject(models.TextChoices):
    COMMITTEE = "COMMITTEE", _("调解组织")
    MEDIATOR = "MEDIATOR", _("调解员")
    ACCOUNT = "ACCOUNT", _("登录账号")


class ChangeAction(models.TextChoices):
    CREATE = "CREATE", _("新建")
    EDIT = "EDIT", _("修改")
    DEACTIVATE = "DEACTIVATE", _("停用")
    REACTIVATE = "REACTIVATE", _("恢复")
    FILING = "FILING", _("备案")
    ATTACH = "ATTACH", _("上传材料")
    ACCOUNT_CREATE = "ACCOUNT_CREATE", _("开通账号")
    PASSWORD_RESET = "PASSWORD_RESET", _("重置密码")
    ACCOUNT_DEACTIVATE = "ACCOUNT_DEACTIVATE", _("停用账号")
    ACCOUNT_REACTIVATE = "ACCOUNT_REACTIVATE", _("恢复账号")
    IMPORT = "IMPORT", _("Excel导入")


class RegistryChange(AppendOnlyModel):
    """Who changed which organisation, person or account, when, and what (field → [before, after]).
    Written by registry.history.record_change in the same transaction as the change; append-only."""

    subject = models.CharField(max_length=20, choices=ChangeSubject.choices)
    subject_id = models.PositiveBigIntegerField()
    # The committee the subject belongs to (for scoping the history); null for accounts of supervisors.
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=30, choices=ChangeAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    append_only_message = "登记变更记录不可修改或删除"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "subject_id", "at"])]
        verbose_name = _("登记变更记录")
        verbose_name_plural = _("登记变更记录")


class Court(models.Model):
    name = models.CharField(_("法院名称"), max_length=100, unique=True)
    division = models.ForeignKey(Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="courts")

    class Meta:
        verbose_name = _("法院")
        verbose_name_plural = _("法院")

    def __str__(self) -> str:
        return self.name

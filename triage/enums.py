from django.db import models
from django.utils.translation import gettext_lazy as _


class Route(models.TextChoices):
    """The body that should handle a new dispute (issue 13)."""

    VILLAGE_COMMITTEE = "VILLAGE_COMMITTEE", _("村（居）调委会")
    TOWNSHIP_COMMITTEE = "TOWNSHIP_COMMITTEE", _("乡镇（街道）调委会、司法所")
    TRAFFIC_COMMITTEE = "TRAFFIC_COMMITTEE", _("交通事故纠纷调委会")
    MEDICAL_COMMITTEE = "MEDICAL_COMMITTEE", _("医疗纠纷调委会")
    LABOR_COMMITTEE = "LABOR_COMMITTEE", _("劳动人事争议调解组织")
    PROPERTY_COMMITTEE = "PROPERTY_COMMITTEE", _("物业纠纷调委会")
    CONSUMER_COMMITTEE = "CONSUMER_COMMITTEE", _("消费纠纷调委会（市场监管）")
    POLICE = "POLICE", _("公安机关")
    COURT = "COURT", _("人民法院")
    OTHER_DEPT = "OTHER_DEPT", _("其他职能部门")


class Subject(models.TextChoices):
    """What a suggestion was made for: the four doors a new dispute comes through."""

    REGISTRATION = "REGISTRATION", _("窗口登记")
    APPLICATION = "APPLICATION", _("网上申请")
    REFERRAL = "REFERRAL", _("移送/委派")
    FINDING = "FINDING", _("排查发现")
    RECLASSIFY = "RECLASSIFY", _("重新分类")

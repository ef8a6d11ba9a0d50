"""Forms of the console's API pages (api.views_console): institutions, API clients, webhook endpoints, the
deliveries filter. Every choice is limited to the administrator's area (`area`: a registry.Division); a value
posted from outside it is not a valid choice."""

from django import forms
from django.db.models import QuerySet

from api.models import DeliveryState
from api.webhooks import EVENT_TYPES
from referrals.enums import Channel
from referrals.models import Institution
from registry.models import Committee, Court, Division, DivisionLevel


def institutions_in(area: Division) -> QuerySet[Institution]:
    return Institution.objects.filter(division__code__startswith=area.code).select_related("division")


def _divisions_in(area: Division) -> QuerySet[Division]:
    """Where an institution may sit: the admin's own division and those below it down to townships."""
    return Division.objects.filter(code__startswith=area.code, level__lte=DivisionLevel.TOWNSHIP).order_by("code")


class DivisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        indent = "　" * max(0, obj.level - 2)
        return f"{indent}{obj.name}"


class ReceiverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Committee) -> str:
        return f"{obj.name}（矛调中心）" if obj.is_hub else obj.name


class InstitutionForm(forms.ModelForm):
    division = DivisionChoiceField(label="所在区划", queryset=Division.objects.none())
    default_receiver = ReceiverChoiceField(
        label="默认接收的调解组织",
        queryset=Committee.objects.none(),
        required=False,
        help_text="移送时未指定调解组织的，交由这里统一受理；一般选本辖区的矛调中心。",
    )

    class Meta:
        model = Institution
        fields = ["kind", "name", "code", "division", "court", "default_receiver", "contact_phone", "is_active"]
        labels = {"code": "机构代码", "court": "对应法院（仅法院）"}
        help_texts = {"code": "机构的唯一代码（如统一社会信用代码或内部编号），用于对接，保存后请勿随意修改。"}

    def __init__(self, *args, area: Division, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.fields["division"].queryset = _divisions_in(area)
        self.fields["court"].queryset = Court.objects.filter(division__code__startswith=area.code).order_by("name")
        self.fields["court"].required = False
        self.fields["court"].empty_label = "（不是法院）"
        committees = Committee.objects.filter(division__code__startswith=area.code, is_active=True)
        if self.instance.pk and self.instance.default_receiver_id:
            committees = committees | Committee.objects.filter(pk=self.instance.default_receiver_id)
        self.fields["default_receiver"].queryset = committees.order_by("-is_hub", "division_id", "name")
        self.fields["default_receiver"].empty_label = "（未设置）"
        if not self.instance.pk:
            del self.fields["is_active"]
            hub = self.fields["default_receiver"].queryset.filter(is_hub=True).first()
            if hub is not None:
                self.initial.setdefault("default_receiver", hub.pk)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def clean(self) -> dict:
        data = super().clean()
        kind, court = data.get("kind"), data.get("court")
        if kind == Channel.COURT and court is None:
            self.add_error("court", "法院机构须选择对应的法院")
        if kind and kind != Channel.COURT and court is not None:
            self.add_error("court", "只有法院机构才能关联法院")
        if court is not None:
            taken = Institution.objects.filter(court=court).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("court", f"该法院已对应机构：{taken.first().name}")
        return data


class ApiClientForm(forms.Form):
    institution = forms.ModelChoiceField(label="所属机构", queryset=Institution.objects.none())
    name = forms.CharField(label="客户端名称", max_length=100, help_text="如“诉讼服务平台”“110接处警系统”。")
    scopes = forms.MultipleChoiceField(label="授权范围", widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args, area: Division, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from api.clients import all_scopes

        self.fields["institution"].queryset = institutions_in(area).filter(is_active=True)
        self.fields["institution"].widget.attrs["class"] = "form-select"
        self.fields["name"].widget.attrs["class"] = "form-control"
        self.fields["scopes"].choices = [(k, f"{k}：{v}") for k, v in all_scopes().items()]
        self.fields["scopes"].widget.attrs["class"] = "form-check-input"


class EndpointForm(forms.Form):
    institution = forms.ModelChoiceField(label="所属机构", queryset=Institution.objects.none())
    url = forms.CharField(
        label="接收地址",
        max_length=300,
        help_text="机构系统接收推送的网址（须为 https）。收到后应校验签名并按 webhook-id 去重。",
    )
    description = forms.CharField(label="说明", max_length=100, required=False)
    event_types = forms.MultipleChoiceField(
        label="订阅事件（不选则全部）",
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, f"{v}（{k}）") for k, v in EVENT_TYPES.items()],
        required=False,
    )

    def __init__(self, *args, area: Division, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_in(area).filter(is_active=True)
        self.fields["institution"].widget.attrs["class"] = "form-select"
        for name in ("url", "description"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["url"].widget.attrs.update(inputmode="url", autocomplete="off", spellcheck="false")
        self.fields["event_types"].widget.attrs["class"] = "form-check-input"


class DisableForm(forms.Form):
    reason = forms.CharField(label="停用原因", max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["class"] = "form-control"


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *DeliveryState.choices])
    institution = forms.ModelChoiceField(
        label="机构", required=False, queryset=Institution.objects.none(), empty_label="全部机构"
    )
    event_type = forms.ChoiceField(
        label="事件类型", required=False, choices=[("", "全部事件"), *((k, v) for k, v in EVENT_TYPES.items())]
    )

    def __init__(self, *args, area: Division, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_in(area)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

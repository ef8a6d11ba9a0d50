"""Forms of the shared base: a department, a role granted to one of the bureau's accounts."""

from django import forms

from accounts.models import User
from ledgers.actions.base import bureau_users
from ledgers.models import LedgerRoleKind
from ledgers.scoping import departments_of
from registry.models import Division
from registry.org_forms import style


class DepartmentForm(forms.Form):
    name = forms.CharField(label="科室名称", max_length=40)
    is_office = forms.BooleanField(label="办公室", required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_department_%s")
        super().__init__(*args, **kwargs)
        style(self)


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label="账号", queryset=User.objects.none(), empty_label="请选择")
    kind = forms.ChoiceField(label="职责", choices=LedgerRoleKind.choices)
    department = forms.ModelChoiceField(label="所在科室", queryset=None, required=False, empty_label="不限")
    title = forms.CharField(label="职务", max_length=40, required=False)

    def __init__(self, *args, bureau: Division, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_grant_%s")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = bureau_users(bureau)
        self.fields["user"].label_from_instance = lambda u: u.display_name
        self.fields["department"].queryset = departments_of(bureau)
        style(self)

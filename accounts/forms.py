from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form with the username length checked before authentication (and before django-axes
    records the attempt in a varchar(255) column)."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        if len(username) > 150:
            raise forms.ValidationError("用户名或密码不正确，请重新输入。", code="invalid_login")
        return super().clean()


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        max_length=12,
        help_text="手机身份验证器应用中显示的6位数字，每30秒更新一次。",
        error_messages={"required": "请输入动态口令"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

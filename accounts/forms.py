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

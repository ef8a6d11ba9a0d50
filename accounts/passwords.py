"""Password rules for 等保 level 3 (GB/T 22239-2019 8.1.4.1 a: identification with passwords of sufficient
complexity, changed regularly). Django's validators give the length (settings.PASSWORD_MIN_LENGTH, default 10),
the common-password list, the all-digits rule and the similarity to the user's attributes; this one adds the
character classes, the username, and a new password that differs from the current one. `generate_password`
makes the initial and reset passwords an administrator hands over (shown once; the user must change them)."""

import re
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"[0-9]")),
    ("特殊符号", re.compile(r"[^a-zA-Z0-9]")),
)


class ComplexityValidator:
    """At least `min_classes` of the four character classes (lower case, upper case, digits, symbols), neither the
    username nor the phone number inside the password (whatever their case), and, when the user already has a
    password, not that same password again (a forced change must really change it)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        errors = []
        present = sum(1 for _, rx in CLASSES if rx.search(password))
        if present < self.min_classes:
            errors.append(
                ValidationError(
                    f"密码须至少包含大写字母、小写字母、数字、特殊符号中的{self.min_classes}类。",
                    code="password_too_simple",
                )
            )
        lowered = password.lower()
        for attr, label in (("username", "用户名"), ("phone", "手机号")):
            value = (getattr(user, attr, "") or "").lower() if user is not None else ""
            if len(value) >= 3 and value in lowered:
                errors.append(ValidationError(f"密码不能包含{label}。", code="password_contains_" + attr))
        if user is not None and getattr(user, "pk", None) and user.has_usable_password():
            if user.check_password(password):
                errors.append(ValidationError("新密码不能与当前密码相同。", code="password_unchanged"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return (
            f"至少包含大写字母、小写字母、数字、特殊符号中的{self.min_classes}类，不能包含用户名或手机号，"
            "且不能与当前密码相同。"
        )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django 5.2's reworded English message has no zh-hans text)."""

    def get_error_message(self) -> str:
        return f"密码太短，至少包含 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少包含 {self.min_length} 个字符。"


# Characters of a generated password: no look-alikes (0/O, 1/l/I) so that it can be read out or copied by hand.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "#%+=@!?"


def generate_password(length: int = 12) -> str:
    """A random password with all four character classes (so it passes every validator), for an account an
    administrator opens or resets. It is shown once to the administrator and never stored in clear."""
    from django.conf import settings

    length = max(length, getattr(settings, "PASSWORD_MIN_LENGTH", 10), 8)
    pools = (_LOWER, _UPPER, _DIGITS, _SYMBOLS)
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def clear_forced_change(user) -> None:
    """After the user has chosen their own password: no more redirect to the change page."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])

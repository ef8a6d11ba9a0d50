"""The party account of a mobile number (服务对象 accounts sign in by SMS code only)."""

from accounts.models import Role, User


def party_account(phone: str, name: str = "") -> User | None:
    """The party account of this number, created on first sign-in (with no usable password). None when the number
    belongs to a staff account, or the party account of it is disabled: a staff account is never used as a party's."""
    user = User.objects.filter(phone=phone, role=Role.PARTY).order_by("pk").first()
    if user is not None:
        return user if user.is_active else None
    if User.objects.filter(username=f"m{phone}").exists():
        return None
    user = User(username=f"m{phone}", phone=phone, role=Role.PARTY, full_name=name)
    user.set_unusable_password()
    user.save()
    return user

"""Recovery of a lost authenticator: another administrator removes a user's TOTP device (docs/adr/0005)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import AccessKind, AccessLog, Role, TotpDevice, User

RESETTERS = {Role.COUNTY_ADMIN, Role.CITY_ADMIN}


class Command(BaseCommand):
    help = "重置用户的两步验证（动态口令）：由另一位县级或市级管理员执行，记入访问日志。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="丢失手机的用户")
        parser.add_argument("--by", required=True, help="执行重置的另一位管理员的用户名")
        parser.add_argument("--reason", required=True, help="重置原因（如：手机丢失，已电话核实本人）")

    def handle(self, *args, username: str, by: str, reason: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        admin = User.objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        if admin is None or admin.role not in RESETTERS:
            raise CommandError("--by 须为在职的县级或市级司法局管理员")
        if admin.pk == user.pk:
            raise CommandError("不能重置自己的两步验证，请由另一位管理员执行")
        if admin.role == Role.COUNTY_ADMIN and not (user.division_id or "").startswith(admin.division_id or "-"):
            raise CommandError("县级管理员只能重置本县（区）用户的两步验证")
        if len(reason.strip()) < 4:
            raise CommandError("请写明重置原因")
        with transaction.atomic():
            removed, _ = TotpDevice.objects.filter(user=user).delete()
            AccessLog.objects.create(
                user=admin,
                action=AccessKind.RESET_TOTP,
                detail=f"重置{user.username}的两步验证：{reason.strip()}"[:200],
            )
        self.stdout.write(f"已重置 {user.username} 的两步验证" if removed else f"{user.username} 未启用两步验证")

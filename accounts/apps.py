from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from accounts import middleware  # noqa: F401  (connects the sign-in signal)

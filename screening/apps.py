from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "screening"
    verbose_name = "矛盾纠纷排查与预警"

    def ready(self) -> None:
        from screening import timers  # noqa: F401  (registers the timer handlers with cases.timers)

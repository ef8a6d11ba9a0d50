from django.apps import AppConfig


class RectificationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledgers.rectification"
    label = "rectification"
    verbose_name = "整改台账"

    def ready(self) -> None:
        from ledgers.rectification import clock, navigation  # noqa: F401  (timer handlers, menu entries)

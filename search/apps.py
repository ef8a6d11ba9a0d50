from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "全文检索与类案推荐"

    def ready(self) -> None:
        from search import signals

        signals.connect()

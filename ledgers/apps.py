from django.apps import AppConfig


class LedgersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledgers"
    verbose_name = "建议提案与整改台账"

    def ready(self) -> None:
        from ledgers import (
            navigation,  # noqa: F401  (registers this app's menu entries)
            proposal_timers,  # noqa: F401  (registers the proposals ledger's timer handlers)
        )

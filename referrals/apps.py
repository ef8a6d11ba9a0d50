from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "多元化解对接"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the timer handlers of the referral clocks, the dispatch clock and the supervision thresholds.
        from referrals import timers, timers_board, timers_hub  # noqa: F401

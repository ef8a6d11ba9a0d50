from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "多元化解对接"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from referrals import timers  # noqa: F401  (registers the timer handlers of the referral clocks)

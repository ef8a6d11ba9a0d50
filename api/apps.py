from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "对接接口"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "llm_server.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from llm_server.accounts import signals

        signals.connect()

from django.apps import AppConfig


class VanguardConfig(AppConfig):
    name = "vanguard"
    verbose_name = "党员先锋(包保、责任区、示范岗、无违章)"

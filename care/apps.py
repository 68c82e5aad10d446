from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "薄弱人物排查与谈心谈话"

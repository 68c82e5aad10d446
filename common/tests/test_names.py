"""What the audit log and every page show of a record (issue 9): each model of ours says what it is in Chinese,
and so does every field a change can touch."""

import re

from django.apps import apps
from django.conf import settings
from django.db import models

CJK = re.compile(r"[\u4e00-\u9fff]")
TREE_FIELDS = {"path", "depth", "numchild"}  # treebeard's bookkeeping, never shown (the audit log hides them)


def our_models():
    base = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if config.path.startswith(base) and "/.venv/" not in config.path:
            yield from config.get_models()


def test_every_model_and_field_has_a_chinese_name_and_every_model_a_str():
    wrong = []
    for model in our_models():
        name = model._meta.label
        if not CJK.search(str(model._meta.verbose_name)):
            wrong.append(f"{name}: verbose_name “{model._meta.verbose_name}”")
        if model.__str__ is models.Model.__str__:
            wrong.append(f"{name}: no __str__ (the audit log would show “{model.__name__} object (13)”)")
        for field in model._meta.get_fields():
            if (field.auto_created and not field.concrete) or getattr(field, "primary_key", False):
                continue
            if field.name in TREE_FIELDS:
                continue
            if field.model is model and not CJK.search(str(field.verbose_name)):
                wrong.append(f"{name}.{field.name}: verbose_name “{field.verbose_name}”")
    assert list(our_models())
    assert not wrong, "\n".join(wrong)

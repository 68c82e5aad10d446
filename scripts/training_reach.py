"""Print, for every 工种 of the catalogue, how many questions of the shipped bank a worker can be served and which
knowledge points they cover (a Markdown table). Runs on an empty database of its own:

    HONGLING_DATA_DIR=/tmp/hl-reach .venv/bin/python scripts/training_reach.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hongling.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main():
    call_command("migrate", verbosity=0)
    from orgs.demo import JOB_TYPES
    from orgs.models import JobType
    from training.bank import load_starter_bank
    from training.models import KnowledgePoint
    from training.services import eligible_questions

    names = list(JOB_TYPES) + [n for n in ("无轨胶轮车司机",) if n not in JOB_TYPES]
    for order, name in enumerate(names):
        JobType.objects.get_or_create(name=name, defaults={"order": order})
    load_starter_bank()
    point_names = dict(KnowledgePoint.objects.values_list("pk", "name"))
    print("| 工种 | 可出题数 | 知识点数 | 瓦斯/通风/顶板 | 知识点 |")
    print("|---|---:|---:|---|---|")
    for name in names:
        pairs = eligible_questions(JobType.objects.get(name=name).pk)
        points = sorted({point_names[p] for _, p in pairs})
        core = "".join("✓" if n in points else "✗" for n in ("瓦斯", "通风", "顶板"))
        print(f"| {name} | {len(pairs)} | {len(points)} | {core} | {'、'.join(points)} |")


main()

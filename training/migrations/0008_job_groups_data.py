"""The default 工种组 for existing data: groups, the 工种 already there put into them, and the shipped points and
questions tagged as the starter bank now ships them (a question keeps its version: whom it goes to is not what it
asks)."""

import json
from pathlib import Path

from django.db import migrations

STARTER_DIR = Path(__file__).resolve().parent.parent / "starter_bank"


def forwards(apps, schema_editor):
    from training.targeting import ensure_default_groups

    JobGroup = apps.get_model("training", "JobGroup")
    JobType = apps.get_model("orgs", "JobType")
    KnowledgePoint = apps.get_model("training", "KnowledgePoint")
    Question = apps.get_model("training", "Question")
    groups = ensure_default_groups(JobGroup, JobType)
    jobs = {j.name: j for j in JobType.objects.all()}
    for path in sorted(STARTER_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        spec = data["point"]
        point = KnowledgePoint.objects.filter(code=spec["code"]).first()
        if point is None:
            continue
        point.underground_only = bool(spec.get("underground_only"))
        point.every_underground = bool(spec.get("every_underground"))
        point.save(update_fields=["underground_only", "every_underground"])
        point.groups.set([groups[c] for c in spec.get("groups", []) if c in groups])
        point.job_types.set([jobs[n] for n in spec.get("job_types", []) if n in jobs])
        for item in data["questions"]:
            tags = {k: item[k] for k in ("groups", "underground_only") if k in item}
            if not tags:
                continue
            for question in Question.objects.filter(code=item["code"], replaced_by__isnull=True):
                question.underground_only = bool(item.get("underground_only"))
                question.save(update_fields=["underground_only"])
                question.groups.set([groups[c] for c in item.get("groups", []) if c in groups])
                if "job_types" in item:
                    question.job_types.set([jobs[n] for n in item["job_types"] if n in jobs])


class Migration(migrations.Migration):
    dependencies = [("training", "0007_job_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

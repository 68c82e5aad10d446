"""Make the running counts behind the whole-mine statistics again from the hazards (after a restore, a bulk load
done outside the platform, or to check them: the statistics of a branch are always read from the hazards)."""

from django.core.management.base import BaseCommand

from hazards import tally


class Command(BaseCommand):
    help = "由隐患记录重新生成全矿统计用的计数"

    def handle(self, *args, **options):
        tally.rebuild()
        self.stdout.write("已重新生成隐患统计计数")

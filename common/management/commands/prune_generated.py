from django.core.management.base import BaseCommand

from common import generated


class Command(BaseCommand):
    help = "删除超过保留期(HONGLING_GENERATED_DAYS)的后台生成文件"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保留天数(默认取 HONGLING_GENERATED_DAYS)")

    def handle(self, *args, days=None, **options):
        removed = generated.prune(days=days)
        self.stdout.write(f"已删除 {removed} 个生成文件")

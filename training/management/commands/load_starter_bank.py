from django.core.management.base import BaseCommand

from training.bank import load_starter_bank


class Command(BaseCommand):
    help = "载入(或更新)随项目提供的起步题库:知识点与题目按编码识别,可重复运行"

    def handle(self, *args, **options):
        counts = load_starter_bank(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                "起步题库:新增 {created},更新 {updated},新版本 {versioned},未变 {unchanged}".format(**counts)
            )
        )

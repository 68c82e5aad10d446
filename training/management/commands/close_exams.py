from django.core.management.base import BaseCommand

from training.exams import close_expired


class Command(BaseCommand):
    help = "给时间已到的试卷自动交卷并评分(由定时器每分钟调用;打开试卷页面时也会即时处理)"

    def handle(self, *args, **options):
        self.stdout.write(f"自动交卷 {close_expired()} 份")

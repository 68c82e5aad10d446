"""Nightly: apply yesterday's answers to the FSRS cards and make today's question for every on-duty worker.

Run shortly after midnight (Asia/Shanghai) by a cron job or systemd timer; see README "Scheduled jobs". Safe to run
again: workers who already have today's question keep it."""

import time

from django.core.management.base import BaseCommand
from django.utils.dateparse import parse_date

from training import services


class Command(BaseCommand):
    help = "应用答题结果到记忆卡片,并为在岗职工生成今日一题"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        day = parse_date(options["date"]) if options.get("date") else None
        started = time.perf_counter()
        applied, made = services.prepare_day(
            day=day, log=lambda msg: self.stdout.write(msg) if options["verbosity"] > 1 else None
        )
        self.stdout.write(f"已应用 {applied} 条作答,生成 {made} 道今日一题,用时 {time.perf_counter() - started:.1f} 秒")

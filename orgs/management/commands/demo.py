"""`python manage.py demo --size small|mine|group`: demo organisations, people and accounts (see orgs/demo.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orgs import demo


class Command(BaseCommand):
    help = "生成演示数据(固定随机种子,结果可重复)。small: 2个矿约200人; mine: 1个矿5000人; group: 40个矿20万人。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=demo.SIZES, default="small", help="数据规模 (默认 small)")
        parser.add_argument(
            "--base-only",
            action="store_true",
            help="只生成组织、人员和账号,不运行各模块登记的演示步骤",
        )

    def handle(self, *args, size, base_only, **options):
        verbose = options["verbosity"] > 0

        def log(message):
            if verbose:
                self.stdout.write(message)

        try:
            result = demo.generate(size, log=log, run_steps=not base_only)
        except demo.DemoSizeConflict as exc:
            raise CommandError(
                f"数据库里已经有 {exc.args[0]} 规模的演示数据,不能再生成 {size} 规模。"
                f"请换一个空数据库(例如设置 SQLITE_PATH 或 DATABASE_URL)后再运行。"
            )
        settings.HONGLING_DEMO_FLAG.write_text(f"{size}\n", encoding="utf-8")  # the 演示数据 mark on every page
        if result.created:
            log(self.style.SUCCESS(f"已生成 {size} 规模演示数据: {result.people} 人, 用时 {result.seconds:.1f} 秒"))
        else:
            log(f"{size} 规模的演示数据已经存在({result.people} 人),未做任何改动。")
        if verbose:
            self.stdout.write("\n演示账号(密码相同,首次登录无需改密码):")
            self.stdout.write(demo.format_accounts(result.accounts))

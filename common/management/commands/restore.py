"""manage.py restore ARCHIVE --yes: database, media and secret key back; every table's rows and checksum compared."""

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 manage.py backup 的备份恢复(会覆盖当前数据库、上传文件和密钥),并逐表核对行数与校验和"

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据")
        parser.add_argument("--sqlite-path", help="恢复到这个 SQLite 文件(而不是当前数据库)")
        parser.add_argument("--no-media", action="store_true", help="不恢复上传文件")
        parser.add_argument("--no-secret-key", action="store_true", help="不恢复密钥文件")

    def handle(self, archive, yes=False, sqlite_path=None, no_media=False, no_secret_key=False, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前数据库和上传文件;确认请加 --yes(先停止 hongling 服务)")
        try:
            manifest, figures, differences = restore(
                archive, sqlite_path=sqlite_path, restore_media=not no_media, restore_key=not no_secret_key
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        rows = sum(f["rows"] for f in figures.values())
        if differences:
            raise CommandError("恢复后与备份不一致:\n" + "\n".join(differences))
        self.stdout.write(f"已恢复 {manifest['created']} 的备份:{len(figures)} 张表,{rows} 行,逐表行数与校验和一致")

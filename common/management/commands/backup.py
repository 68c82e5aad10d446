"""manage.py backup [--output DIR|FILE.tar.gz]: database, media and secret key in one archive (common/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库(SQLite 或 PostgreSQL)、上传文件和密钥到一个 .tar.gz(默认 $HONGLING_DATA_DIR/backups/)"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="目录,或 .tar.gz 文件名")

    def handle(self, output=None, **options):
        try:
            path = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(str(path))

"""Backup and restore as one command each (SPEC §8): ``manage.py backup`` / ``manage.py restore <archive>``.

One ``.tar.gz`` holds everything a new machine needs:

- ``database.sqlite3`` (SQLite: the online backup API, safe while the server runs) or ``database.pgdump``
  (PostgreSQL: ``pg_dump -Fc``, restored with ``pg_restore --clean``);
- ``media/`` (photos, attachments, lesson files);
- ``secret_key`` (sessions, tokens and signed links keep working after the restore);
- ``manifest.json``: when, which engine, and for every table its row count and a checksum of its rows, which
  ``restore`` compares with the restored database (and refuses to call the restore good when they differ).

The archive holds the secret key and personal data: it is written readable by its owner only (0600).
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    pass


def _engine():
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库:{vendor}")
    return vendor


def table_figures(cursor, tables):
    """{table: {"rows": n, "sha256": hex}} over a DB-API cursor. The checksum does not depend on row order (the sum of
    every row's SHA-256, modulo 2**256), so it is computed while streaming the rows."""
    figures = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT * FROM "{table}"')
        columns = [c[0] for c in cursor.description]
        total, count = 0, 0
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                break
            for row in batch:
                text = json.dumps([_plain(v) for v in row], ensure_ascii=False, default=str)
                total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % (1 << 256)
                count += 1
        head = hashlib.sha256(json.dumps(columns).encode()).hexdigest()[:16]
        figures[table] = {"rows": count, "sha256": f"{head}:{total:064x}"}
    return figures


def sqlite_file_figures(path):
    import sqlite3

    db = sqlite3.connect(path)
    try:
        cursor = db.cursor()
        tables = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return table_figures(cursor, [t for t in tables if not t.startswith("sqlite_")])
    finally:
        db.close()


def _plain(value):
    """The same text for a value whichever engine returned it (bool vs 0/1, Decimal, memoryview, datetime)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.replace("T", " ").removesuffix("+00:00")
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def live_tables():
    return [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]


def live_figures():
    with connection.cursor() as cursor:
        return table_figures(cursor, live_tables())


def _pg_env():
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args, str(db["NAME"])


def _dump_database(directory):
    """(file name, table figures) of a consistent copy of the database."""
    if _engine() == "sqlite":
        import sqlite3

        connection.ensure_connection()
        target = directory / "database.sqlite3"
        out = sqlite3.connect(target)
        with out:
            connection.connection.backup(out)
        out.close()
        return target.name, sqlite_file_figures(target)
    # PostgreSQL: the figures and pg_dump read one snapshot, so writes during the backup cannot make them differ
    env, args, name = _pg_env()
    target = directory / "database.pgdump"
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.autocommit
    raw.autocommit = False
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            figures = table_figures(cursor, live_tables())
            result = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target), *args, name],
                env=env,
                capture_output=True,
                text=True,
            )
        raw.rollback()
    finally:
        raw.autocommit = previous
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败:{result.stderr.strip()}")
    return target.name, figures


def _secret_key_text():
    return settings.SECRET_KEY


def backup(output=None):
    """Write the archive; returns its path. ``output``: a file name, or a directory (a dated name is chosen)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    output = Path(output or settings.DATA_DIR / "backups")
    if output.suffix != ".gz":
        output.mkdir(parents=True, exist_ok=True)
        output = output / f"hongling-{stamp}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        tmp = Path(tmp)
        database, figures = _dump_database(tmp)
        manifest = {"created": timezone.now().isoformat(), "engine": _engine(), "database": database, "tables": figures}
        (tmp / "secret_key").write_text(_secret_key_text())
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = output.with_name(output.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            for name in ("manifest.json", "secret_key", manifest["database"]):
                archive.add(tmp / name, arcname=name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
        partial.replace(output)
    return output


def _safe_members(archive):
    for member in archive.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"备份文件中有不安全的条目:{member.name}")
        yield member


def restore(archive_path, sqlite_path=None, restore_media=True, restore_key=True):
    """Restore the archive into the configured database (or the SQLite file ``sqlite_path``), the media folder
    and the secret key. Returns ``(manifest, restored figures, differences)``."""
    archive_path = Path(archive_path)
    if not archive_path.exists():
        raise BackupError(f"找不到备份文件:{archive_path}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(tmp, members=list(_safe_members(archive)), filter="data")
        manifest = json.loads((tmp / "manifest.json").read_text())
        if manifest["engine"] == "sqlite":
            figures = _restore_sqlite(tmp / manifest["database"], sqlite_path)
        else:
            if connection.vendor != "postgresql":
                raise BackupError("这是 PostgreSQL 的备份,请在 DATABASE_URL 指向 PostgreSQL 时恢复")
            figures = _restore_postgres(tmp / manifest["database"])
        if restore_media and (tmp / "media").exists():
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(tmp / "media", media)
        if restore_key:
            key_file = Path(settings.DATA_DIR) / "secret_key"
            key_file.write_text((tmp / "secret_key").read_text())
            key_file.chmod(0o600)
    differences = compare(manifest["tables"], figures)
    return manifest, figures, differences


def compare(expected, actual):
    out = []
    for table, figure in expected.items():
        got = actual.get(table)
        if got is None:
            out.append(f"{table}: 恢复后不存在")
        elif got != figure:
            out.append(
                f"{table}: 备份 {figure['rows']} 行,恢复后 {got['rows']} 行"
                + ("(内容不同)" if got["rows"] == figure["rows"] else "")
            )
    return out


def _restore_sqlite(dump, sqlite_path):
    import sqlite3

    if connection.vendor != "sqlite" and sqlite_path is None:
        raise BackupError("这是 SQLite 的备份,请在未设置 DATABASE_URL 时恢复(或用 --sqlite-path 指定文件)")
    target = Path(sqlite_path or settings.DATABASES["default"]["NAME"])
    if sqlite_path is None:
        connection.close()
    source = sqlite3.connect(dump)
    out = sqlite3.connect(target)
    with out:
        source.backup(out)
    source.close()
    out.close()
    return sqlite_file_figures(target)


def _restore_postgres(dump):
    env, args, name = _pg_env()
    connection.close()
    result = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "-d", name, *args, str(dump)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败:{result.stderr.strip()[:2000]}")
    return live_figures()

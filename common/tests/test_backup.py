"""Issue 14, finding 11: one command backs up database, media and secret key; one restores them into a fresh
database, where every table's row count and checksum equal the backup's."""

import json
import sqlite3
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from common.backup import sqlite_file_figures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    (settings.MEDIA_ROOT / "hazards").mkdir(parents=True)
    (settings.MEDIA_ROOT / "hazards" / "p.jpg").write_bytes(b"\xff\xd8\xff photo")
    return tmp_path


def test_backup_then_restore_into_a_fresh_database(world, data_dir, settings, capsys):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL path runs in test_backup_postgres")
    archive = data_dir / "b.tar.gz"
    call_command("backup", output=str(archive))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        assert {"manifest.json", "secret_key", "database.sqlite3", "media/hazards/p.jpg"} <= names
        assert tar.extractfile("secret_key").read().decode() == settings.SECRET_KEY
        manifest = json.loads(tar.extractfile("manifest.json").read())
    # the live database, table by table, is what the manifest says
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            assert manifest["tables"][table]["rows"] == cursor.fetchone()[0], table
    assert manifest["tables"]["orgs_person"]["rows"] > 5

    (settings.MEDIA_ROOT / "hazards" / "p.jpg").unlink()
    (settings.DATA_DIR / "secret_key").unlink(missing_ok=True)
    fresh = data_dir / "fresh.sqlite3"
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), sqlite_path=str(fresh))
    call_command("restore", str(archive), "--yes", sqlite_path=str(fresh))
    assert "逐表行数与校验和一致" in capsys.readouterr().out
    restored = sqlite_file_figures(fresh)
    assert restored == manifest["tables"]  # every table: same row count, same checksum
    assert (settings.MEDIA_ROOT / "hazards" / "p.jpg").read_bytes() == b"\xff\xd8\xff photo"
    assert (settings.DATA_DIR / "secret_key").read_text() == settings.SECRET_KEY

    # a changed row shows as a difference
    db = sqlite3.connect(fresh)
    db.execute("UPDATE orgs_person SET name = '改过' WHERE id = (SELECT MIN(id) FROM orgs_person)")
    db.commit()
    db.close()
    assert sqlite_file_figures(fresh)["orgs_person"] != manifest["tables"]["orgs_person"]


def test_an_archive_with_a_path_outside_is_refused(data_dir):
    import io

    bad = data_dir / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("../evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="不安全"):
        call_command("restore", str(bad), "--yes")


PG = "postgres://postgres@127.0.0.1:5432/"


def _pg_available():
    import subprocess

    try:
        return (
            subprocess.run(["psql", PG + "postgres", "-tAc", "select 1"], capture_output=True, timeout=5).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _pg_available(), reason="PostgreSQL 不可用")
def test_backup_postgres(tmp_path):
    """The same on PostgreSQL, as the README runs it: migrate and fill a database, `backup`, restore into a fresh
    database, compare every table's rows and checksum."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    # (per process: the SQLite and the PostgreSQL runs of the suite may run side by side on one server)
    source, target = f"hl_harden_backup_src_{os.getpid()}", f"hl_harden_backup_dst_{os.getpid()}"
    for name in (source, target):
        subprocess.run(["psql", PG + "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", PG + "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)

    def manage(db, *args):
        env = {**os.environ, "DATABASE_URL": PG + db, "HONGLING_DATA_DIR": str(tmp_path / db),
               "DJANGO_SETTINGS_MODULE": "hongling.settings", "SECRET_KEY": "k" * 50}  # fmt: skip
        return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip

    assert manage(source, "migrate", "-v", "0").returncode == 0
    filled = manage(source, "shell", "-c", "from orgs.tests.factories import build_world; build_world()")
    assert filled.returncode == 0, filled.stderr
    made = manage(source, "backup", "--output", str(tmp_path / "pg.tar.gz"))
    assert made.returncode == 0, made.stderr
    restored = manage(target, "restore", str(tmp_path / "pg.tar.gz"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "逐表行数与校验和一致" in restored.stdout
    with tarfile.open(tmp_path / "pg.tar.gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["engine"] == "postgresql" and manifest["tables"]["orgs_person"]["rows"] > 5
    for name in (source, target):
        subprocess.run(["psql", PG + "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"])

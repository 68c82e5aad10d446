"""Issue 14, finding 12: the systemd units and timers of deploy/ start commands that exist, every timer has its
service, gunicorn's config loads; one log line per request with request id, user and status."""

import configparser
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def exec_starts(path):
    """Every ExecStart= line of a unit: a oneshot service may run several commands in order (configparser keeps the
    last one only)."""
    return [line.split("=", 1)[1] for line in path.read_text().splitlines() if line.startswith("ExecStart=")]


def test_every_service_runs_an_existing_command_and_every_timer_a_service():
    commands = set(get_commands())
    services = sorted(DEPLOY.glob("*.service"))
    assert {p.name for p in services} >= {"hongling.service", "hongling-worker.service", "hongling-backup.service"}
    for path in services:
        for exec_start in exec_starts(path):
            if "manage.py" in exec_start:
                assert exec_start.split("manage.py")[1].split()[0] in commands, path.name
        assert unit(path)["Service"]["EnvironmentFile"] == "/srv/hongling/.env"
    for path in DEPLOY.glob("*.timer"):
        timer = unit(path)["Timer"]
        assert (DEPLOY / timer["Unit"]).exists() and timer["OnCalendar"], path.name
    # the README's cron lines are timers now
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert "```cron" not in readme
    for name in ("close_exams", "prepare_daily_questions", "prune_db_task_results"):
        assert any(name in line for p in services for line in exec_starts(p)), name


def test_gunicorn_config_is_valid():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("gunicorn")), "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py")],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_one_line_per_request_with_id_user_and_status(world, login, caplog):
    caplog.set_level(logging.INFO, logger="hongling.request")
    c = login(world.secretary)
    r = c.get("/hazards/", HTTP_X_REQUEST_ID="nginx-req-0001abcd")
    assert r["X-Request-ID"] == "nginx-req-0001abcd"
    lines = [rec for rec in caplog.records if rec.name == "hongling.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line.request_id == "nginx-req-0001abcd"
    assert line.getMessage().startswith(f"user={world.secretary.pk} GET /hazards/ 200 ")
    caplog.clear()
    c.get("/no-such-page/", HTTP_X_REQUEST_ID="bad id with spaces")
    (line,) = [rec for rec in caplog.records if rec.name == "hongling.request"]
    assert " 404 " in line.getMessage() and len(line.request_id) == 16 and " " not in line.request_id

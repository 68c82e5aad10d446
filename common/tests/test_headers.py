"""Issue 14, finding 8: CSP on every page with no inline script or handler left; HSTS and the HTTPS redirect behind
the proxy; `manage.py check --deploy` clean with the README's production environment."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def test_every_page_carries_a_strict_script_policy(world, login):
    response = login(world.secretary).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_no_inline_script_or_event_handler_in_templates():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text) or re.search(
            r"<script(?![^>]*\b(src|type=\"application/json\")\b)", text
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def production_env(**extra):
    """The environment of README "Deployment", step 2."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": "postgres://hongling:secret@127.0.0.1:5432/hongling",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "hongling.example-mine.cn",
        "CSRF_TRUSTED_ORIGINS": "https://hongling.example-mine.cn",
        "BEHIND_HTTPS_PROXY": "1",
        "SESSION_COOKIE_SECURE": "1",
        "HONGLING_DATA_DIR": str(Path(settings.DATA_DIR) / "deploy-check"),
    }
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hsts_and_redirect_behind_the_proxy(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    plain = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200 and secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_settings_turn_on_hsts_and_redirect_only_behind_the_proxy():
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.TRUSTED_PROXY_HOPS)"
    run = lambda env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hongling.settings'); django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert run(production_env()) == ["True", "31536000", "1"]
    assert run(production_env(BEHIND_HTTPS_PROXY="0")) == ["False", "0", "0"]

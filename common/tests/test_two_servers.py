"""Issue 14, finding 13: two app processes on different ports share nothing but the database — a login, a login
lock, a write and the task queue made through one are seen through the other (own data dir each, same SECRET_KEY)."""

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _get(port, path, cookie="", method="GET", body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {}), **(headers or {})}
    conn.request(method, path, body=body, headers=h)
    response = conn.getresponse()
    return response, response.read().decode(errors="replace")


def _cookies(response, jar):
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, rest = value.split("=", 1)
            jar[name] = rest.split(";", 1)[0]
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _login(port, username, password):
    jar = {}
    r, body = _get(port, "/accounts/login/")
    cookie = _cookies(r, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    from urllib.parse import urlencode

    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    r, _ = _get(port, "/accounts/login/", cookie, "POST", form, {"Content-Type": "application/x-www-form-urlencoded"})
    return r.status, _cookies(r, jar)


def test_two_app_processes_share_only_the_database(tmp_path):
    from bench.loadgen import free_port

    db = tmp_path / "shared.sqlite3"
    base = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "SQLITE_PATH": str(db),
        "SECRET_KEY": "s" * 50, "DJANGO_SETTINGS_MODULE": "hongling.settings", "HONGLING_MANIFEST_STATIC": "0",
        "HONGLING_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }  # fmt: skip
    env_a = {**base, "HONGLING_DATA_DIR": str(tmp_path / "a")}
    env_b = {**base, "HONGLING_DATA_DIR": str(tmp_path / "b")}
    run = lambda *args: subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env_a,  # noqa: E731
                                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run("migrate", "-v", "0").returncode == 0
    made = run("shell", "-c", "from orgs.tests.factories import build_world; build_world()")
    assert made.returncode == 0, made.stderr
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    ports, procs = [free_port(), free_port()], []
    try:
        for port, env in zip(ports, (env_a, env_b)):
            procs.append(subprocess.Popen(
                [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        for port in ports:
            for _ in range(100):
                try:
                    _get(port, "/healthz")
                    break
                except OSError:
                    time.sleep(0.3)
        a, b = ports
        # a session made on A is valid on B
        status, cookie = _login(a, "secretary-1", "Hl-test-pass1")
        assert status == 302
        r, body = _get(b, "/people/", cookie)
        assert r.status == 200 and "王小二" in body
        # a login lock earned on A holds on B
        for _ in range(5):
            _login(a, "worker-1", "wrong-pass-1")
        status, _ = _login(b, "worker-1", "Hl-test-pass1")
        assert status != 302
        # the health of each sees the same database and queue
        for port in ports:
            r, body = _get(port, "/healthz")
            assert '"database": true' in body and '"ok": true' in body.split('"migrations"')[1]
        # each keeps its own data dir: nothing was written to the other's
        assert not (tmp_path / "b" / "secret_key").exists() and not (tmp_path / "a" / "secret_key").exists()
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)

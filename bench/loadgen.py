"""Real HTTP load for the figures SPEC §8 states "at N concurrent clients": gunicorn serving the site (plus the
bare baseline views) on the bench database, driven by client *processes* over keep-alive connections, so that
neither side shares a GIL with the other. Used on PostgreSQL; SQLite allows one writer at a time.

    with Server() as server:
        cookies = sessions(users)                       # real session cookies, no login round trips
        result = drive(server.port, scripts, clients=50, think=(0.5, 1.5))

A *script* is a list of steps for one user: ("GET", path) or ("POST", path, json-body-or-callable). A callable
body gets the previous JSON answer (e.g. to answer the question just fetched). ``think`` = (low, high) seconds a
client waits between requests (a person reading the question); None = back to back (saturation).
"""

import http.client
import json
import multiprocessing
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (gthread) on a free port with the bench URLs; stopped on exit."""

    def __init__(self, workers=3, threads=8, env=None):
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.extra_env = env or {}  # e.g. production static files (bench/figures_weaklink.py)

    def __enter__(self):
        # no request log: nobody reads the pipe below (a full pipe would stall the workers), and it is not measured
        env = dict(os.environ, HONGLING_BENCH_URLS="1", HONGLING_MANIFEST_STATIC="0", PYTHONPATH=str(ROOT),
                   HONGLING_REQUEST_LOG="0")  # fmt: skip
        env.update(self.extra_env)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "hongling.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "-k", "gthread",
             "--workers", str(self.workers), "--threads", str(self.threads), "--keep-alive", "30", "--log-level", "warning",
             "--backlog", "512"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("gunicorn stopped: " + self.proc.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start within 60 s")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def sessions(users):
    """{user id: cookie header} with a logged-in session and a CSRF token for each user (made in the database)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    out = {}
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = secrets.token_hex(16)
        out[user.pk] = (f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf)
    return out


def _client(port, jobs, think, seed, results):
    """One client: runs its users' scripts one after another on one keep-alive connection."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings, errors, started = [], [], time.perf_counter()
    labelled = []  # (label, ms or None when it failed) of steps that carry a label as their 4th item
    for cookie, csrf, script in jobs:
        previous = None
        for step in script:
            method, path = step[0], step[1]
            label = step[3] if len(step) > 3 else None
            headers = {"Cookie": cookie, "Host": "127.0.0.1"}
            body = None
            if previous is None and (callable(path) or (method == "POST" and callable(step[2]))):
                errors.append(f"{method} {getattr(path, '__name__', path)}: skipped, the step before failed")
                if label:
                    labelled.append((label, None))
                continue
            if method == "POST":
                payload = step[2](previous) if callable(step[2]) else step[2]
                body = json.dumps(payload)
                headers.update({"Content-Type": "application/json", "X-CSRFToken": csrf})
            if callable(path):
                path = path(previous)
            if think:
                time.sleep(rng.uniform(*think))
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                errors.append(f"{method} {path}: {exc}")
                if label:
                    labelled.append((label, None))
                continue
            ms = (time.perf_counter() - t0) * 1000
            timings.append(ms)
            if response.status != 200:
                errors.append(f"{method} {path}: {response.status} {data[:200]!r}")
                if label:
                    labelled.append((label, None))
                continue
            if label:
                labelled.append((label, ms))
            ctype = response.getheader("Content-Type", "")
            previous = json.loads(data) if ctype.startswith("application/json") else None
    results.append((timings, errors, time.perf_counter() - started, labelled))


def _process(port, groups, think, seed, queue):
    """A client process: one thread per client."""
    results = []
    threads = [
        threading.Thread(target=_client, args=(port, jobs, think, seed + i, results)) for i, jobs in enumerate(groups)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(results)


def drive(port, jobs, clients, think=None, processes=None, seed=7, by_label=None):
    """Run ``jobs`` [(cookie, csrf, script)] spread over ``clients`` concurrent clients in ``processes`` processes.

    Returns (timings in ms, errors, seconds from the first request to the last answer); ``by_label`` (a dict) is
    filled with {label: [ms, or None for a failed request]} of the steps that carry a label as their 4th item."""
    processes = processes or min(clients, max(2, os.cpu_count() or 2))
    per_client = [jobs[i::clients] for i in range(clients)]
    per_process = [per_client[i::processes] for i in range(processes)]
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    started = time.perf_counter()
    procs = [
        ctx.Process(target=_process, args=(port, groups, think, seed + 100 * i, queue))
        for i, groups in enumerate(per_process)
        if groups
    ]
    for p in procs:
        p.start()
    collected = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = time.perf_counter() - started
    timings, errors = [], []
    for results in collected:
        for t, e, _s, labelled in results:
            timings.extend(t)
            errors.extend(e)
            if by_label is not None:
                for label, ms in labelled:
                    by_label.setdefault(label, []).append(ms)
    return timings, errors, seconds

"""gunicorn settings of the production service (deploy/hongling.service): `gunicorn -c deploy/gunicorn.conf.py`.

Environment: HOST, PORT (127.0.0.1:8000, behind nginx), WORKERS (default: 2 per core, at most 8), THREADS (4),
GUNICORN_TIMEOUT (120 s, as nginx's proxy_read_timeout). The app writes one line per request itself
(common/request_log.py), so gunicorn's access log is off; its error log goes to stderr (journald).
"""

import multiprocessing
import os

wsgi_app = "hongling.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# a worker is replaced after this many requests (plus jitter): memory a library keeps is given back
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# the proxy's X-Forwarded-* are read by the app (common/client.py, SECURE_PROXY_SSL_HEADER), only from loopback
forwarded_allow_ips = "127.0.0.1"
proc_name = "hongling"

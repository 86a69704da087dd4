"""Gunicorn settings for production: `gunicorn -c crm/gunicorn.conf.py crm.wsgi`.

Environment variables (all optional):
    GUNICORN_BIND      address to listen on (default 127.0.0.1:8000, behind nginx)
    GUNICORN_WORKERS   worker processes (default 2 × CPU cores + 1; also WEB_CONCURRENCY)
    GUNICORN_TIMEOUT   seconds a request may take (default 120: large Excel exports)
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(
    os.environ.get("GUNICORN_WORKERS")
    or os.environ.get("WEB_CONCURRENCY")
    or 2 * multiprocessing.cpu_count() + 1
)
# Sync workers: each request holds one ORM connection, as Django expects.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from a proxy on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs as JSON lines on stderr, like the app's own (crm.jsonlog.JSONFormatter).
accesslog = "-"  # handled by logconfig_dict below
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "crm.jsonlog.JSONFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

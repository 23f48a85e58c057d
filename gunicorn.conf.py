"""The one gunicorn configuration `make serve`, the image, compose and `make bench` all run.

Environment: PORT / BIND, WEB_CONCURRENCY (worker processes), GUNICORN_THREADS (threads each),
GUNICORN_WORKER_CLASS (default gthread).
"""

import os

wsgi_app = "llm_server.wsgi"
bind = os.environ.get("BIND") or f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Measured with `make bench` on 2 cores (see the README): two processes per core with two threads
# each serve CPU-bound reads and capture about as fast as sync workers, while a slow model call
# (translate, explain: up to a minute) holds one thread instead of a whole worker.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Access lines on stdout unless turned off (ACCESS_LOG=false), for benchmarks.
# Personal API keys in query strings are masked in the access log.
logger_class = "llm_server.gunicorn_logging.RedactingLogger"
accesslog = "-" if os.environ.get("ACCESS_LOG", "true").lower() not in {"0", "false", "no", "off"} else None
# A worker restarts after this many requests, with jitter, to bound memory growth (each worker
# stays under 150 MB in `make bench`).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10

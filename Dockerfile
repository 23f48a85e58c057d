FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 1000 app

# The whole build context, every app included; .dockerignore keeps out local state and tests.
COPY . .
RUN pip install . && python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var && chown -R app /app/var

USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/_health', timeout=2)"
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn llm_server.wsgi --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --threads 4 --access-logfile -"]

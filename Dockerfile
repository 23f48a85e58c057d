FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 1000 app

# The whole build context, every app included; .dockerignore keeps out local state and tests.
COPY . .
# collectstatic needs a signing key but uses none: a throwaway one, never written to the image.
RUN pip install . \
    && SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       python manage.py collectstatic --noinput --verbosity 0 \
    && test ! -e /app/var/secret_key \
    && mkdir -p /app/var && chown -R app /app/var

USER app
# Without SECRET_KEY a container generates its own key at first start and keeps it here.
VOLUME ["/app/var"]
EXPOSE 8000
# /_health answers whatever ALLOWED_HOSTS is (it is served before host validation).
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/_health', timeout=2)"
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c gunicorn.conf.py"]

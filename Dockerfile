# The app image: one process serves the officers' web, the webhooks and the enabled channels.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ORTBOT_ENV=production \
    MEDIA_DIR=/data/media WEB_HOST=0.0.0.0 WEB_PORT=8080

RUN useradd --create-home --uid 10001 ortbot
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY config ./config
COPY storage ./storage
COPY flows ./flows
COPY access ./access
COPY bot ./bot
COPY admin_web ./admin_web
COPY campaigns ./campaigns
RUN pip install --no-cache-dir . && mkdir -p /data/media && chown -R ortbot /data

USER ortbot
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz').status != 200)"
# Migrations are idempotent and hold an advisory lock: replicas starting together take turns.
CMD ["sh", "-c", "ortbot migrate && exec ortbot serve"]

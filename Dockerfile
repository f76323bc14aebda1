# A small production image: gunicorn as a non-root user, static files collected at build time.
# Migrations are not run on start; run them once per release (see README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings to load; the key is for this build step only.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --no-create-home tradejournal \
    && mkdir -p /app/media && chown tradejournal /app/media

USER tradejournal
# Attachments are kept here unless ATTACHMENT_STORAGE names another storage (README, "Attachments").
VOLUME /app/media
EXPOSE 8000
# Workers, logging and timeouts come from gunicorn.conf.py (WEB_CONCURRENCY workers, default 4).
# The import workers run from the same image with another command: `python manage.py db_worker`,
# or `python manage.py rqworker default` when REDIS_URL is set (README, "Import workers").
CMD ["gunicorn", "tradejournal.wsgi", "--bind", "0.0.0.0:8000"]

# Production image: gunicorn serving eduapp; the same image runs the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# The Chinese font embedded in every PDF (eduapp/pdf_fonts.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md babel.cfg ./
COPY eduapp ./eduapp
COPY migrations ./migrations
COPY question_bank ./question_bank
COPY wsgi.py make_celery.py ./
RUN pip install . && pybabel compile -d eduapp/translations \
    && useradd --system --home /app eduapp && mkdir -p /app/instance /app/audit && chown eduapp /app/instance /app/audit
USER eduapp
EXPOSE 8000
# gthread: one worker process per core (gunicorn reads WEB_CONCURRENCY; set it to the cores given to
# the container) x 6 threads (docs/performance.md).
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--worker-class", "eduapp.gunicorn_worker.ArrivalThreadWorker", "--threads", "6", "--access-logfile", "-", "wsgi:app"]

# Production image: gunicorn serving eduapp; the same image runs the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# The Chinese font embedded in every PDF (eduapp/pdf_fonts.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
# Every dependency pinned with its hashes (requirements/lock.txt, `make lock`): no resolver runs here, and
# this layer is rebuilt only when the lock changes.
COPY requirements/lock.txt ./requirements/lock.txt
RUN pip install -r requirements/lock.txt
# The package itself, not editable and without its sources in /app: the wheel carries the compiled
# catalogs and the migrations (setup.py), so `eduapp db upgrade` and the Chinese pages need nothing else.
COPY pyproject.toml setup.py MANIFEST.in README.md /src/
COPY eduapp /src/eduapp
COPY migrations /src/migrations
RUN pip install --no-deps /src && rm -rf /src
COPY question_bank ./question_bank
COPY wsgi.py make_celery.py ./
# Flask's instance folder of an installed package is $PREFIX/var/eduapp-instance: it points to /app/instance.
RUN useradd --system --home /app eduapp && mkdir -p /app/instance /app/audit /usr/local/var \
    && ln -s /app/instance /usr/local/var/eduapp-instance && chown eduapp /app/instance /app/audit
USER eduapp
EXPOSE 8000
# gthread: one worker process per core (gunicorn reads WEB_CONCURRENCY; set it to the cores given to
# the container) x 6 threads (docs/performance.md).
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--worker-class", "eduapp.gunicorn_worker.ArrivalThreadWorker", "--threads", "6", "--access-logfile", "-", "wsgi:app"]

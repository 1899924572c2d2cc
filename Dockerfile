# The search app and the indexer in one image (docker-compose.yml runs it as both).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every dependency ships
# manylinux wheels (tantivy included): no compiler is needed in the image.
COPY pyproject.toml README.md ./
COPY search ./search
COPY indexer ./indexer
COPY web ./web
COPY app.py ./
# gunicorn (a project dependency) serves production traffic, with web/gunicorn_conf.py.
RUN pip install .

# Templates, static files and the seed articles are read from the working directory.
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds

RUN useradd --create-home --uid 10001 search && mkdir -p /app/var && chown search /app/var
USER search

# Workers, threads, time limits and logs come from the environment (README, "Configuration");
# gunicorn_conf.py defaults to one worker per core. Logs: JSON lines on stderr, no query text.
ENV SEARCH_BACKEND=elasticsearch \
    HOST=0.0.0.0 \
    PORT=8000 \
    SEARCH_LOG_FORMAT=json
EXPOSE 8000

# --chdir makes /app (templates, static) the app's root even though the package is installed;
# the app is 'app:create_app()' (wsgi_app in web/gunicorn_conf.py). exec: docker stop's
# SIGTERM reaches gunicorn, which finishes the requests in flight before exiting.
CMD ["gunicorn", "--chdir", "/app", "-c", "python:web.gunicorn_conf"]

# The search app and the indexer in one image (docker-compose.yml runs it as both).

# Build stage: with a C compiler, installing the package builds its compiled analysis core
# (search/analysis/_speedups.c). Everything is installed under /install, which the image
# below copies: it gets the built extension, not the compiler.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY search ./search
COPY indexer ./indexer
COPY web ./web
COPY app.py ./
# gunicorn (a project dependency) serves production traffic, with web/gunicorn_conf.py.
RUN pip install --prefix=/install .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY --from=build /install /usr/local
# The image must run the compiled core, not silently the fallback.
RUN python -c "from search.analysis import speedups; assert speedups.available(), speedups.unavailable_reason()"

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

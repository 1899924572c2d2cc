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
# gunicorn serves production traffic; the app itself does not import it, so it is
# installed here rather than listed as a project dependency.
RUN pip install --prefix=/install . "gunicorn>=23,<28"

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

ENV SEARCH_BACKEND=elasticsearch \
    PORT=8000 \
    GUNICORN_WORKERS=2 \
    GUNICORN_THREADS=4
EXPOSE 8000

# --chdir makes /app (templates, static) the app's root even though the package is installed.
CMD ["sh", "-c", "exec gunicorn --chdir /app --bind 0.0.0.0:${PORT} --workers ${GUNICORN_WORKERS} --threads ${GUNICORN_THREADS} --timeout 60 --access-logfile - 'app:create_app()'"]

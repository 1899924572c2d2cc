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
# gunicorn serves production traffic; the app itself does not import it, so it is
# installed here rather than listed as a project dependency.
RUN pip install . "gunicorn>=23,<28"

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

"""docker-compose.yml, Dockerfile and .env.example: structure checks (no Docker engine needed).

With the docker compose client installed (v2 plugin or v1 ``docker-compose``), the file is
also validated by ``config``, which resolves variables without contacting any engine.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to parse docker-compose.yml")
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def test_elasticsearch_service_is_a_secured_single_node_with_limits_and_a_healthcheck(compose):
    es = compose["services"]["elasticsearch"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:")
    assert re.search(r":\$\{ES_VERSION:-9\.\d+\.\d+\}$", es["image"])
    env = es["environment"]
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "true"
    assert env["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")  # from .env, required
    assert env["ES_JAVA_OPTS"] == "-Xms${ES_HEAP:-1g} -Xmx${ES_HEAP:-1g}"
    assert es["mem_limit"] == "${ES_MEM_LIMIT:-2g}"
    assert "esdata:/usr/share/elasticsearch/data" in es["volumes"] and "esdata" in compose["volumes"]
    test = " ".join(es["healthcheck"]["test"])
    assert "curl" in test and '-u "elastic:$$ELASTIC_PASSWORD"' in test
    assert "_cluster/health?wait_for_status=yellow" in test
    assert all(p.startswith("127.0.0.1:") for p in es["ports"])  # not exposed beyond the host


def test_app_waits_for_a_healthy_elasticsearch(compose):
    app = compose["services"]["app"]
    assert app["build"] == "."
    assert app["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    env = app["environment"]
    assert env["SEARCH_BACKEND"] == "elasticsearch" and env["ES_URL"] == "http://elasticsearch:9200"
    assert env["ES_USERNAME"] == "elastic" and env["ES_PASSWORD"].startswith("${ELASTIC_PASSWORD")
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert any(p.endswith(":8000") for p in app["ports"])


def test_indexer_is_a_one_shot_reindex_of_the_seeds(compose):
    indexer = compose["services"]["indexer"]
    assert indexer["command"] == ["indexer", "reindex", "--backend", "elasticsearch", "seeds/"]
    assert indexer["depends_on"] == {"elasticsearch": {"condition": "service_healthy"}}
    assert indexer["restart"] == "no" and indexer["image"] == compose["services"]["app"]["image"]
    assert indexer["environment"]["ES_URL"] == "http://elasticsearch:9200"


def test_env_example_names_the_mount_point_compose_uses(compose):
    """Finding 7: .env.example said /data while compose mounts the archive at /app/seeds."""
    mounts = [v for v in compose["services"]["indexer"]["volumes"] if v.startswith("${ARCHIVE_DIR")]
    (mount,) = mounts
    target = mount.split(":")[-2]
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    comment = text[:text.index("ARCHIVE_DIR=")].rsplit("\n\n", 1)[-1]
    assert target in comment and "/data" not in comment.replace(target, "")
    assert compose["services"]["indexer"]["command"][-1].rstrip("/") == Path(target).name


def test_every_variable_the_compose_file_needs_is_in_env_example():
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE.read_text(encoding="utf-8")))
    example = env_example()
    assert used <= set(example), used - set(example)
    assert example["ES_REPLICAS"] == "0"  # one node cannot allocate replicas
    secrets = {k: v for k, v in example.items() if k in ("ELASTIC_PASSWORD", "SECRET_KEY")}
    assert secrets and all(v.startswith("change-me") for v in secrets.values())


def test_env_example_covers_the_backend_settings():
    from search.backends.elasticsearch_backend import EsConfig

    example = env_example()
    for var in ("ES_INDEX_PREFIX", "ES_SHARDS", "ES_REPLICAS"):
        assert var in example and var in EsConfig.ENV.values()
    cfg = EsConfig.from_env({k: v for k, v in example.items() if k.startswith("ES_")})
    assert (cfg.prefix, cfg.shards, cfg.replicas) == ("news", 1, 0)


def test_dockerfile_builds_the_app_on_python_311_slim():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert "pip install --prefix=/install ." in text
    assert '"python:web.gunicorn_conf"' in text and "EXPOSE 8000" in text and re.search(r"^USER \w+", text, re.M)
    import web.gunicorn_conf

    assert web.gunicorn_conf.wsgi_app == "app:create_app()"
    for src in re.findall(r"^COPY (?!--from=)(\S+)", text, re.M):
        assert (ROOT / src).exists(), src
    # A build stage with a compiler builds the compiled analysis core; the image checks it has it.
    assert re.search(r"^FROM python:3\.11-slim AS build$", text, re.M) and "gcc" in text
    assert "COPY --from=build /install /usr/local" in text and "speedups.available()" in text
    from app import create_app  # the gunicorn target exists

    assert callable(create_app)


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git", "var"} <= set(lines)


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path):
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("no docker compose client installed")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    (tmp_path / "seeds").mkdir()
    run = subprocess.run(cmd + ["--profile", "indexer", "config"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "service_healthy" in run.stdout and "wait_for_status=yellow" in run.stdout
    (tmp_path / ".env").unlink()
    missing = subprocess.run(cmd + ["config"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "ELASTIC_PASSWORD" in missing.stderr  # no silent empty password

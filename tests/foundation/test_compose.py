"""docker-compose.yml is valid (checked by docker-compose itself, which needs no engine for `config`)
and runs the services the project needs from one image on production settings."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_config_accepts_the_file():
    command = compose_command()
    if command is None:
        need("neither docker-compose nor the docker compose plugin is installed (apt-get install docker-compose)")
    env = {**os.environ, "DJANGO_SECRET_KEY": "a-long-random-value-for-the-config-check-only-0123456789"}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "-q"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_a_secret_key():
    command = compose_command()
    if command is None:
        need("neither docker-compose nor the docker compose plugin is installed")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run([*command, "-f", str(COMPOSE), "config", "-q"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_every_service_sharing_one_image_on_production_settings(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services)
    app_services = [services[name] for name in ("web", "worker", "beat")]
    assert {s["image"] for s in app_services} == {"common-ground:latest"}
    for service in app_services:
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    # The SMTP sink's web inbox is published so a developer can read what was sent.
    assert any("8025" in str(port) for port in services["mailpit"]["ports"])

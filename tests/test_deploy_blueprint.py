"""The second PaaS blueprint (render.yaml) starts what the Procfile starts, with the fleet's settings (#18)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _procfile_web() -> str:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")]
    assert len(lines) == 1
    return lines[0].split(":", 1)[1].strip()


def test_render_blueprint_runs_the_procfile_command_as_a_fleet_with_redis() -> None:
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    web = [service for service in blueprint["services"] if service["type"] == "web"]
    assert len(web) == 1
    service = web[0]
    assert service["startCommand"].split() == _procfile_web().split()
    assert service["buildCommand"] == "pip install ."
    assert service["numInstances"] >= 2
    env = {item["key"]: item for item in service["envVars"]}
    assert env["TRUSTED_PROXY_HOPS"]["value"] == "1"
    redis = env["REDIS_URL"]["fromService"]
    assert redis["property"] == "connectionString"
    assert any(s["type"] == "keyvalue" and s["name"] == redis["name"] for s in blueprint["services"])
    assert "METRICS_TOKEN" in env and "API_KEYS" in env

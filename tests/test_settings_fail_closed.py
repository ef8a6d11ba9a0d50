"""Production settings fail closed: without the keys or the SMS gateway, the project refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROD = {"TIAOJIE_ENV": "production", "SECRET_KEY": "k" * 50, "FIELD_ENCRYPTION_KEY": "f" * 44, "SMS_BACKEND": "x.Y"}


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PROD}
    clean.update({k: v for k, v in env.items() if v is not None})
    code = "import tiaojie.settings as s; print(s.SMS_BACKEND)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "SMS_BACKEND"])
def test_production_refuses_to_start_without(missing):
    result = load_settings(**{**PROD, missing: None})
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_starts_with_everything_named_and_development_logs_sms():
    assert load_settings(**PROD).stdout.strip() == "x.Y"
    assert load_settings(TIAOJIE_ENV="development").stdout.strip() == "portal.sms.ConsoleBackend"

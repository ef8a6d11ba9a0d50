"""Production settings fail closed: without the keys or the SMS gateway, the project refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A key as Fernet.generate_key() makes one (32 random bytes, url-safe base64); fixed so the test is repeatable.
GOOD_KEY = "q3Jb7xv0ZkUu1m9Ws4Hc2n8Td5Ry6Le0AaPgQiKoNfM="
PROD = {"TIAOJIE_ENV": "production", "SECRET_KEY": "k" * 50, "FIELD_ENCRYPTION_KEY": GOOD_KEY, "SMS_BACKEND": "x.Y"}


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


@pytest.mark.parametrize("backend", ["portal.sms.ConsoleBackend", "my.sms.ConsoleBackend", "portal.sms.consolebackend"])
def test_production_refuses_the_console_sms_backend(backend):
    result = load_settings(**{**PROD, "SMS_BACKEND": backend})
    assert result.returncode != 0 and "writes codes to the log" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "x",  # the probe's value
        "f" * 44,  # 44 characters, but 33 bytes
        "A" * 43 + "=",  # 32 bytes, all zero
        "secret-password-of-the-county-bureau",
        "q3Jb7xv0ZkUu1m9Ws4Hc2n8Td5Ry6Le0AaPgQiKoNf",  # cut short
        "不是密钥不是密钥不是密钥",
    ],
)
def test_production_refuses_a_key_that_is_not_a_fernet_key(key):
    result = load_settings(**{**PROD, "FIELD_ENCRYPTION_KEY": key})
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY is not a proper key" in result.stderr


def test_production_refuses_the_secret_key_as_encryption_key():
    result = load_settings(**{**PROD, "SECRET_KEY": GOOD_KEY})
    assert result.returncode != 0 and "must differ from SECRET_KEY" in result.stderr


def test_a_generated_key_is_accepted():
    from cryptography.fernet import Fernet

    result = load_settings(**{**PROD, "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()})
    assert result.returncode == 0, result.stderr


def test_a_trusted_proxy_that_is_not_an_address_is_refused():
    result = load_settings(**{**PROD, "TRUSTED_PROXIES": "10.0.0.0/8,proxy.example"})
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr
    assert load_settings(**{**PROD, "TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.2"}).returncode == 0

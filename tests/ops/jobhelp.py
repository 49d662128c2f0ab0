"""Helpers of the operations tests: run manage.py commands as a cron job would."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def job_env(db_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BILLING_", "DJANGO_"))}
    env.update(BILLING_DATABASE_URL=db_url, DJANGO_SECRET_KEY="tests-only-not-secret",
               DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def manage(db_url, *args, timeout=120, env=None):
    """Runs `manage.py ARGS` with the billing schema at db_url; a CompletedProcess (text)."""
    return subprocess.run([PYTHON, str(ROOT / "webapp" / "manage.py"), *map(str, args)],
                          env=env or job_env(db_url), capture_output=True, text=True,
                          timeout=timeout)


def start_manage(db_url, *args, env=None):
    return subprocess.Popen([PYTHON, str(ROOT / "webapp" / "manage.py"), *map(str, args)],
                            env=env or job_env(db_url), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

"""Routines: run billing candidates unlocked."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_run_billing.sql": "f85079715667",
})

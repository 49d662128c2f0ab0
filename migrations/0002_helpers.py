"""Routines: helpers."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "functions/meter_step_kwh.sql": "3f68bae01678",
    "procedures/_fail.sql": "dc8cac4bca58",
})

"""Routines: webapp views."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "views/v_customer.sql": "0fded9b39e97",
    "views/v_account.sql": "5a485208cafe",
    "views/v_meter_reading.sql": "4785f6069354",
})

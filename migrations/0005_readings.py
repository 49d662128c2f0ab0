"""Routines: readings."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/record_reading.sql": "3020c48cb2fc",
    "procedures/approve_reading.sql": "222828cc4182",
    "procedures/reject_reading.sql": "63c7bf2db856",
})

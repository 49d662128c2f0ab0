"""Routines: portal views."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "views/v_portal_account.sql": "8a23c8f6504d",
    "views/v_portal_usage.sql": "c3c92188254f",
})

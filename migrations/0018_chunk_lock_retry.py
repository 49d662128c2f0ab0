"""Routines: chunk lock retry."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_run_billing.sql": "26788b10cb0d",
    "procedures/run_billing.sql": "45d579ec6f73",
    "procedures/_bill_account.sql": "c0f8469212e8",
    "procedures/bill_account.sql": "caf3e7bffb6f",
})

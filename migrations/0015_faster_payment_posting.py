"""Routines: faster payment posting."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_allocation_plan.sql": "83de921f7033",
    "procedures/_apply_allocation.sql": "f94684ce1665",
    "procedures/_allocate_payment.sql": "222bb3a62b10",
    "procedures/_post_payment.sql": "a32416eaab8c",
})

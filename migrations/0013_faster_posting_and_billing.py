"""Routines: faster posting and billing."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_bill_chunk.sql": "62e3d9190c48",
    "procedures/_post_payment.sql": "b5f51c510d43",
})

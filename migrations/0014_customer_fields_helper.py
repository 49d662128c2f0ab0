"""Routines: customer fields helper."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_check_customer_fields.sql": "67037b50095b",
    "procedures/_create_customer.sql": "7a3903b9d55c",
    "procedures/_update_customer.sql": "8b68d3024d63",
})

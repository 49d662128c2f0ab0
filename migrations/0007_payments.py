"""Routines: payments."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "functions/receipt_no.sql": "f48a576d4412",
    "procedures/_allocate_payment.sql": "f3a7c6f384f4",
    "procedures/post_payment.sql": "ca001f1cc033",
    "procedures/reverse_payment.sql": "06cf519a5354",
    "views/v_payments.sql": "3ab330e08a87",
    "views/v_collections_daily.sql": "0daa8d985dd0",
})

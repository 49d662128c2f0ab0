"""Routines: billing."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_check_period.sql": "737247a843c1",
    "procedures/_bill_chunk.sql": "b29a3c79725c",
    "procedures/run_billing.sql": "c55524c0035a",
    "procedures/bill_account.sql": "69205be2d790",
    "procedures/apply_late_fees.sql": "d24b5ba5d5cd",
    "views/v_bill_lines.sql": "0f7b1221da5f",
    "views/v_bill_summary.sql": "e59ea808f047",
    "views/v_account_balance.sql": "64b0c4189ee8",
    "views/v_aging.sql": "1d4971528971",
    "views/v_billing_exceptions.sql": "414f68bf736d",
    "views/v_ledger_integrity.sql": "10107a16c925",
})

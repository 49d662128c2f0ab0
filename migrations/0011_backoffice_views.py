"""Routines: backoffice views."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "views/v_staff_statement.sql": "979278c32be7",
    "views/v_staff_billing_run.sql": "4a5390d00a70",
    "views/v_staff_tariff_version.sql": "d54c14c3d70e",
    "views/v_staff_tariff_block.sql": "26107c3858d0",
    "views/v_staff_discount.sql": "d769d40f60da",
    "views/v_staff_account_discount.sql": "348854e4213d",
    "views/v_report_revenue.sql": "a45544982963",
    "views/v_report_consumption.sql": "6f8a2125d84c",
    "views/v_audit_log.sql": "222e74eb633d",
})

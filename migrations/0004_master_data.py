"""Routines: master data."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "procedures/_next_number.sql": "da4936e2c3c1",
    "procedures/create_customer.sql": "63b4a0a3f7f7",
    "procedures/update_customer.sql": "dd7071017ceb",
    "procedures/create_tariff.sql": "854d035ffbaa",
    "procedures/add_tariff_version.sql": "047ea5fd937d",
    "procedures/create_discount.sql": "562d4d47d8f6",
    "procedures/open_account.sql": "e914a6211461",
    "procedures/close_account.sql": "76ae9a86a7c4",
    "procedures/assign_discount.sql": "89bff703991d",
    "procedures/install_meter.sql": "2cfde379bdcb",
})

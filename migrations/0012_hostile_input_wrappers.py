"""Routines: hostile input wrappers."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "functions/_arg_text.sql": "49dc3fe54bcc",
    "functions/_arg_int.sql": "576946c34073",
    "functions/_arg_decimal.sql": "35a0a08dc478",
    "functions/_arg_date.sql": "1ef8365e05d9",
    "functions/_arg_datetime.sql": "13225f2385e4",
    "procedures/_create_customer.sql": "9cfc56f35c38",
    "procedures/_update_customer.sql": "64cd3125be88",
    "procedures/_open_account.sql": "1d4f5639fecf",
    "procedures/_close_account.sql": "c2d48b785e59",
    "procedures/_create_tariff.sql": "5a23a3ef7562",
    "procedures/_add_tariff_version.sql": "984a3ef0d3d4",
    "procedures/_create_discount.sql": "28b0b886ea45",
    "procedures/_assign_discount.sql": "c39b425f9535",
    "procedures/_install_meter.sql": "5c9abb1b9cf2",
    "procedures/_record_reading.sql": "5a5a5b79db71",
    "procedures/_approve_reading.sql": "abfe76ef851b",
    "procedures/_reject_reading.sql": "9d3bcfae3493",
    "procedures/_run_billing.sql": "ca827399c02e",
    "procedures/_bill_account.sql": "8c265b0cc6f6",
    "procedures/_apply_late_fees.sql": "b2b6c6a3ac30",
    "procedures/_post_payment.sql": "df482bd0bcbb",
    "procedures/_reverse_payment.sql": "fd1f8e45a3d2",
    "procedures/create_customer.sql": "f738b32d6766",
    "procedures/update_customer.sql": "24631f6fb8cb",
    "procedures/open_account.sql": "9294b05d7953",
    "procedures/close_account.sql": "e91c2a27fb52",
    "procedures/create_tariff.sql": "452e8ec0420a",
    "procedures/add_tariff_version.sql": "a0ed93b498cf",
    "procedures/create_discount.sql": "6233d1983fc6",
    "procedures/assign_discount.sql": "75b0b00f88bc",
    "procedures/install_meter.sql": "5c55d62937e6",
    "procedures/record_reading.sql": "116531b2eef5",
    "procedures/approve_reading.sql": "d3d47fe5d05f",
    "procedures/reject_reading.sql": "6931b8cccade",
    "procedures/run_billing.sql": "6e3334f1b114",
    "procedures/bill_account.sql": "3459c599b1ba",
    "procedures/apply_late_fees.sql": "b767b804f6ec",
    "procedures/post_payment.sql": "ec07dbb3b4d9",
    "procedures/reverse_payment.sql": "4a938f995d6c",
})

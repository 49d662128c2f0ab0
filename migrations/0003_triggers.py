"""Routines: triggers."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
from deploy import routine_steps  # noqa: E402

steps = routine_steps({
    "triggers/account_audit_delete.sql": "e92043feef23",
    "triggers/account_audit_insert.sql": "f7db94c4e00b",
    "triggers/account_audit_update.sql": "7b1decdbba8b",
    "triggers/account_discount_audit_delete.sql": "4d43f2e868c8",
    "triggers/account_discount_audit_insert.sql": "9971af54525e",
    "triggers/account_discount_audit_update.sql": "541ce022ee81",
    "triggers/bill_line_no_delete.sql": "2f5f34439317",
    "triggers/bill_line_no_update.sql": "db143c532df7",
    "triggers/bill_no_delete.sql": "400caa042341",
    "triggers/customer_audit_delete.sql": "d189a30d04dd",
    "triggers/customer_audit_insert.sql": "6e21d9875d54",
    "triggers/customer_audit_update.sql": "d450ead8acd0",
    "triggers/discount_audit_delete.sql": "032957b17829",
    "triggers/discount_audit_insert.sql": "4f138be92920",
    "triggers/discount_audit_update.sql": "4b28ea16dcb2",
    "triggers/ledger_entry_no_delete.sql": "65a760b6516d",
    "triggers/ledger_entry_no_update.sql": "eb06f97bc622",
    "triggers/meter_audit_delete.sql": "54d8ac5ae2d8",
    "triggers/meter_audit_insert.sql": "94a4bb01bcbd",
    "triggers/meter_audit_update.sql": "aaac6f713906",
    "triggers/meter_installation_audit_delete.sql": "2984523e3701",
    "triggers/meter_installation_audit_insert.sql": "097d68ce5ae4",
    "triggers/meter_installation_audit_update.sql": "7e5b2d31483e",
    "triggers/payment_allocation_no_delete.sql": "465cae54298d",
    "triggers/payment_allocation_no_update.sql": "1d817cef66f1",
    "triggers/payment_keep_identity.sql": "e9dc26f49ebd",
    "triggers/payment_no_delete.sql": "d8ef24a024b4",
    "triggers/tariff_audit_delete.sql": "e9bde34fef23",
    "triggers/tariff_audit_insert.sql": "4e88534314ff",
    "triggers/tariff_audit_update.sql": "aebea0e40ccb",
    "triggers/tariff_block_audit_delete.sql": "5b7339b772ce",
    "triggers/tariff_block_audit_insert.sql": "2818bcd7bbc6",
    "triggers/tariff_block_audit_update.sql": "c7950924137a",
    "triggers/tariff_version_audit_delete.sql": "faad739e7a03",
    "triggers/tariff_version_audit_insert.sql": "a18134919d13",
    "triggers/tariff_version_audit_update.sql": "909c8ea55e02",
})

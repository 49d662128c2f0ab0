"""Master data (customers, tariffs, accounts, meters, discounts) made through the procedures of
the contract.

Every helper CALLs the contract's procedures (never plain INSERTs), so what a test builds is what
production would have. Keyword arguments with defaults; codes and serials that are not given are
generated unique. Dates may be `datetime.date` or 'YYYY-MM-DD' strings; money and rates may be
str, int or Decimal (floats work but are better avoided).

    from helpers.factories import make_tariff, make_metered_account

    make_tariff(db, code="RES", versions=[dict(
        effective_from="2026-01-01", fixed_charge="5.00", tax_rate_pct="10", late_fee_pct="1.5",
        early_pay_pct="2", early_pay_days=10, blocks=[(100, "0.12"), (None, "0.18")])])
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01", initial_read=120)
    db.call("record_reading", acc.serial, "2026-01-31", 250, "field", "staff:test")

Return values:
- make_customer -> customer_id (int); make_account -> account_id (int);
  make_meter -> meter_id (int); make_discount -> discount_id (int);
  make_tariff_version -> tariff_version_id (int); give_discount -> account_discount_id (int)
- make_tariff -> Ns(tariff_id, code, version_ids); make_account accepts it or a code (str)
- make_metered_account -> Ns(customer_id, customer_no, account_id, account_no, tariff_code,
  meter_id, serial) (attribute access and ns["account_id"] both work)
"""
import itertools
import json
import os
from decimal import Decimal
from types import SimpleNamespace

ACTOR = "staff:test"
DEFAULT_DATE = "2026-01-01"

# One default version: no fixed charge, no tax, no fees, one open block at 0.10 per kWh.
DEFAULT_VERSION = dict(effective_from="2000-01-01", fixed_charge="0.00", tax_rate_pct="0",
                       late_fee_pct="0", early_pay_pct="0", early_pay_days=0,
                       blocks=[(None, "0.10")])

_seq = itertools.count(1)


def _unique(prefix):
    """A code/serial unique within this test process (the schema is emptied per test anyway)."""
    return f"{prefix}{os.getpid() % 1000:03d}{next(_seq):05d}"


class Ns(SimpleNamespace):
    """A small record: attribute access, and ns["field"] too."""

    def __getitem__(self, key):
        return getattr(self, key)


def _json_number(x):
    if x is None:
        return "null"
    if isinstance(x, float):
        x = repr(x)
    return str(Decimal(str(x)))


def blocks_json(blocks):
    """[(up_to_kwh, rate), ...] (up_to_kwh None: the open block) as the JSON add_tariff_version
    takes, with exact JSON numbers. A str is passed through as it is (for malformed input)."""
    if isinstance(blocks, str):
        return blocks
    parts = []
    for b in blocks:
        if isinstance(b, dict):
            parts.append(json.dumps(b))
        else:
            up, rate = b
            parts.append(f'{{"up_to_kwh": {_json_number(up)}, "rate": {_json_number(rate)}}}')
    return "[" + ", ".join(parts) + "]"


def make_customer(db, name=None, email=None, phone=None, address=None, actor=ACTOR):
    """create_customer; returns customer_id."""
    r = db.call("create_customer", name if name is not None else f"Customer {next(_seq)}",
                email, phone, address, actor)
    return r["customer_id"]


def make_tariff_version(db, tariff_code, effective_from=DEFAULT_DATE, fixed_charge="0.00",
                        tax_rate_pct="0", late_fee_pct="0", early_pay_pct="0", early_pay_days=0,
                        blocks=((None, "0.10"),), actor=ACTOR):
    """add_tariff_version; blocks as [(up_to_kwh, rate), ...] (see blocks_json).
    Returns tariff_version_id."""
    r = db.call("add_tariff_version", tariff_code, str(effective_from), fixed_charge,
                tax_rate_pct, late_fee_pct, early_pay_pct, early_pay_days, blocks_json(blocks),
                actor)
    return r["tariff_version_id"]


def make_tariff(db, code=None, name=None, versions=None, actor=ACTOR):
    """create_tariff, then add_tariff_version for each dict of `versions` (keys as the
    arguments of make_tariff_version). versions=None gives one DEFAULT_VERSION (in force from
    2000-01-01, one open block at 0.10); versions=[] gives none.
    Returns Ns(tariff_id, code, version_ids)."""
    code = code if code is not None else _unique("T")
    tariff_id = db.call("create_tariff", code, name if name is not None else f"Tariff {code}",
                        actor)["tariff_id"]
    version_ids = []
    for v in ([DEFAULT_VERSION] if versions is None else versions):
        version_ids.append(make_tariff_version(db, code, **{**v, "actor": v.get("actor", actor)}))
    return Ns(tariff_id=tariff_id, code=code, version_ids=version_ids)


def _code_of(tariff):
    return tariff.code if hasattr(tariff, "code") else tariff


def make_account(db, tariff_code=None, opened_on=DEFAULT_DATE, customer_id=None,
                 service_address=None, actor=ACTOR):
    """open_account; tariff_code None makes a tariff (make_tariff defaults), customer_id None
    makes a customer. tariff_code may be a code or what make_tariff returned.
    Returns account_id."""
    if tariff_code is None:
        tariff_code = make_tariff(db, actor=actor)
    if customer_id is None:
        customer_id = make_customer(db, actor=actor)
    r = db.call("open_account", customer_id, _code_of(tariff_code),
                service_address if service_address is not None else f"{next(_seq)} Main Street",
                str(opened_on), actor)
    return r["account_id"]


def make_meter(db, account_id, serial=None, dial_digits=5, multiplier=1, installed_on=None,
               initial_read=0, actor=ACTOR):
    """install_meter; installed_on None means the account's opened_on. Returns meter_id."""
    if installed_on is None:
        installed_on = db.value("SELECT opened_on FROM account WHERE account_id = %s", account_id)
    serial = serial if serial is not None else _unique("SN")
    r = db.call("install_meter", account_id, serial, dial_digits, multiplier, str(installed_on),
                initial_read, actor)
    return r["meter_id"]


def make_metered_account(db, tariff_code=None, opened_on=DEFAULT_DATE, customer_id=None,
                         name=None, serial=None, dial_digits=5, multiplier=1, installed_on=None,
                         initial_read=0, service_address=None, actor=ACTOR):
    """Customer (unless customer_id is given) + account (a default tariff unless tariff_code
    is given) + meter installed on opened_on (unless installed_on is given), in one go.
    Returns Ns(customer_id, customer_no, account_id, account_no, tariff_code, meter_id,
    serial)."""
    if tariff_code is None:
        tariff_code = make_tariff(db, actor=actor)
    if customer_id is None:
        customer_id = make_customer(db, name=name, actor=actor)
    account_id = make_account(db, tariff_code, opened_on, customer_id,
                              service_address=service_address, actor=actor)
    serial = serial if serial is not None else _unique("SN")
    meter_id = make_meter(db, account_id, serial=serial, dial_digits=dial_digits,
                          multiplier=multiplier,
                          installed_on=installed_on if installed_on is not None else opened_on,
                          initial_read=initial_read, actor=actor)
    nos = db.row("SELECT a.account_no, c.customer_no FROM account a "
                 "JOIN customer c ON c.customer_id = a.customer_id WHERE a.account_id = %s",
                 account_id)
    return Ns(customer_id=customer_id, customer_no=nos["customer_no"], account_id=account_id,
              account_no=nos["account_no"], tariff_code=_code_of(tariff_code), meter_id=meter_id,
              serial=serial)


def make_discount(db, code=None, name=None, pct="10", actor=ACTOR):
    """create_discount; returns discount_id (the code is the one given, or see
    db.value('SELECT code FROM discount WHERE discount_id = %s', id))."""
    code = code if code is not None else _unique("D")
    r = db.call("create_discount", code, name if name is not None else f"Discount {code}", pct,
                actor)
    return r["discount_id"]


def give_discount(db, account_id, discount_code=None, valid_from=DEFAULT_DATE, valid_to=None,
                  pct="10", actor=ACTOR):
    """assign_discount; discount_code None makes a discount of `pct` first.
    Returns account_discount_id."""
    if discount_code is None:
        discount_code = _unique("D")
        make_discount(db, code=discount_code, pct=pct, actor=actor)
    r = db.call("assign_discount", account_id, discount_code, str(valid_from),
                None if valid_to is None else str(valid_to), actor)
    return r["account_discount_id"]

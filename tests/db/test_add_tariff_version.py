"""add_tariff_version: a version with its blocks; every validation; retroactive versions."""
from decimal import Decimal

import pytest

from helpers.db import DbError
from helpers.factories import ACTOR, blocks_json, make_metered_account, make_tariff

BLOCKS = '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": 250.5, "rate": 0.15}, ' \
         '{"up_to_kwh": null, "rate": 0.181234}]'


def add(db, code="RES", eff="2026-01-01", fixed="5.00", tax="10", late="1.5", early="2",
        days=10, blocks=BLOCKS, actor=ACTOR):
    return db.call("add_tariff_version", code, eff, fixed, tax, late, early, days, blocks, actor)


def insert_bill(db, account_id, version_id, period_start, period_end, bill_no="2026-900001",
                cancelled=False):
    """A bill row written directly (no billing procedure needed): only its dates matter here."""
    reading = db.value("SELECT r.reading_id FROM meter_reading r JOIN meter_installation i "
                       "ON i.meter_id = r.meter_id WHERE i.account_id = %s", account_id)
    db.execute(
        "INSERT INTO bill (bill_no, account_id, tariff_version_id, period_start, period_end, "
        "days_billed, period_days, issue_date, due_date, prev_read_on, prev_read_value, "
        "end_reading_id, register_advance, consumption_kwh, total_amount, issued_total, "
        "cancelled_at) "
        "VALUES (%s, %s, %s, %s, %s, 1, 31, %s, DATE_ADD(%s, INTERVAL 20 DAY), %s, 0, %s, 0, 0, 0,"
        " 0, %s)",
        bill_no, account_id, version_id, period_start, period_end, period_end, period_end,
        period_start, reading, "2026-02-10 00:00:00" if cancelled else None)


def test_adds_a_version_with_its_blocks(db):
    t = make_tariff(db, code="RES", versions=[])
    r = add(db)
    v = db.row("SELECT * FROM tariff_version WHERE tariff_version_id = %s", r["tariff_version_id"])
    assert (v["tariff_id"], str(v["effective_from"]), v["fixed_charge"], v["tax_rate_pct"],
            v["late_fee_pct"], v["early_pay_pct"], v["early_pay_days"]) == \
        (t.tariff_id, "2026-01-01", Decimal("5.00"), Decimal("10.00"), Decimal("1.50"),
         Decimal("2.00"), 10)
    blocks = db.rows("SELECT block_no, up_to_kwh, rate FROM tariff_block "
                     "WHERE tariff_version_id = %s ORDER BY block_no", r["tariff_version_id"])
    assert [(b["block_no"], b["up_to_kwh"], b["rate"]) for b in blocks] == [
        (1, Decimal("100.0000"), Decimal("0.120000")),
        (2, Decimal("250.5000"), Decimal("0.150000")),
        (3, None, Decimal("0.181234")),
    ]


def test_single_open_block_missing_up_to_and_integer_rate_and_zero_values(db):
    make_tariff(db, code="FLAT", versions=[])
    r = add(db, code=" flat ", fixed="0", tax="0", late="0", early="0", days=0,
            blocks='[{"rate": 0}]')
    assert db.rows("SELECT block_no, up_to_kwh, rate FROM tariff_block WHERE tariff_version_id = %s",
                   r["tariff_version_id"]) == [{"block_no": 1, "up_to_kwh": None, "rate": Decimal("0")}]
    r2 = add(db, code="FLAT", eff="2026-02-01", tax="100", late="100", early="100", days=366,
             blocks='[{"up_to_kwh": 1e2, "rate": 1}, {"up_to_kwh": null, "rate": 2}]')
    assert [(b["up_to_kwh"], b["rate"]) for b in db.rows(
        "SELECT up_to_kwh, rate FROM tariff_block WHERE tariff_version_id = %s ORDER BY block_no",
        r2["tariff_version_id"])] == [(Decimal("100"), Decimal("1")), (None, Decimal("2"))]


def test_factory_blocks_json_is_exact():
    assert blocks_json([(100, "0.12"), (None, Decimal("0.18"))]) == \
        '[{"up_to_kwh": 100, "rate": 0.12}, {"up_to_kwh": null, "rate": 0.18}]'


@pytest.mark.parametrize("field, value", [
    ("eff", None),
    ("fixed", None), ("fixed", "-0.01"), ("fixed", "1.005"),
    ("tax", None), ("tax", "-1"), ("tax", "100.01"), ("tax", "5.555"),
    ("late", None), ("late", "-0.01"), ("late", "101"),
    ("early", None), ("early", "-1"), ("early", "100.5"),
    ("days", None), ("days", -1), ("days", 367),
    ("actor", None), ("actor", ""), ("actor", "  "),
    ("code", None), ("code", ""),
])
def test_invalid_arguments_are_45002_and_write_nothing(db, field, value):
    make_tariff(db, code="RES", versions=[])
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        add(db, **{field: value})
    assert e.value.errno == 45002
    assert db.snapshot() == before


@pytest.mark.parametrize("blocks", [
    None,
    "",
    "not json",
    '{"up_to_kwh": null, "rate": 0.1}',                                   # not an array
    "[]",                                                                  # empty
    "[5]",                                                                 # not an object
    '[{"up_to_kwh": 100, "rate": 0.1}, {"up_to_kwh": 100, "rate": 0.2}, {"up_to_kwh": null, "rate": 0.3}]',
    '[{"up_to_kwh": 200, "rate": 0.1}, {"up_to_kwh": 100, "rate": 0.2}, {"up_to_kwh": null, "rate": 0.3}]',
    '[{"up_to_kwh": null, "rate": 0.1}, {"up_to_kwh": 100, "rate": 0.2}]',   # open block not last
    '[{"up_to_kwh": null, "rate": 0.1}, {"up_to_kwh": null, "rate": 0.2}]',  # two open blocks
    '[{"up_to_kwh": 100, "rate": 0.1}]',                                  # last block not open
    '[{"up_to_kwh": 100, "rate": 0.1}, {"up_to_kwh": 200, "rate": 0.2}]',    # last block not open
    '[{"up_to_kwh": 0, "rate": 0.1}, {"up_to_kwh": null, "rate": 0.2}]',     # up_to 0
    '[{"up_to_kwh": -5, "rate": 0.1}, {"up_to_kwh": null, "rate": 0.2}]',    # negative up_to
    '[{"up_to_kwh": 100}, {"up_to_kwh": null, "rate": 0.2}]',                # missing rate
    '[{"up_to_kwh": 100, "rate": null}, {"up_to_kwh": null, "rate": 0.2}]',  # null rate
    '[{"up_to_kwh": 100, "rate": -0.01}, {"up_to_kwh": null, "rate": 0.2}]',  # negative rate
    '[{"up_to_kwh": null, "rate": -1}]',                                  # negative rate
    '[{"up_to_kwh": "100", "rate": 0.1}, {"up_to_kwh": null, "rate": 0.2}]',  # string up_to
    '[{"up_to_kwh": 100, "rate": "0.1"}, {"up_to_kwh": null, "rate": 0.2}]',  # string rate
    '[{"up_to_kwh": null, "rate": true}]',                                # boolean rate
    '[{"up_to_kwh": [1], "rate": 0.1}, {"up_to_kwh": null, "rate": 0.2}]',   # array up_to
    '[{"up_to_kwh": null, "rate": 0.1234567}]',                           # 7 decimals
    '[{"up_to_kwh": 100.00001, "rate": 0.1}, {"up_to_kwh": null, "rate": 0.2}]',  # 5 decimals
    '[{"up_to_kwh": null, "rate": 0.1, "tier": "A"}]',                     # another key
    '[{"up_to_kwh": null, "rate": 0.1, "rate": 0.2}]',                     # a key twice
    '[{"up_to_kwh": null, "rate": 0.1, "rate": -1}]',        # twice (MariaDB would keep 0.1)
    "[" + ", ".join(['{"up_to_kwh": %d, "rate": 0.1}' % (i + 1) for i in range(255)])
    + ', {"up_to_kwh": null, "rate": 0.1}]',                              # 256 blocks
])
def test_invalid_blocks_are_45031_and_write_nothing(db, blocks):
    make_tariff(db, code="RES", versions=[])
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        add(db, blocks=blocks)
    assert e.value.errno == 45031, e.value.message
    assert db.snapshot() == before


def test_unknown_tariff_is_45001(db):
    make_tariff(db, code="RES", versions=[])
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        add(db, code="NOPE")
    assert e.value.errno == 45001
    assert db.snapshot() == before


def test_same_effective_from_is_45003(db):
    make_tariff(db, code="RES", versions=[])
    add(db, eff="2026-01-01")
    add(db, eff="2025-06-01")           # earlier than an existing one: fine while nothing billed
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        add(db, eff="2026-01-01", fixed="9.00")
    assert e.value.errno == 45003
    assert db.snapshot() == before


def test_a_version_on_or_before_a_billed_day_is_45030(db):
    t = make_tariff(db, code="RES", versions=[dict(effective_from="2026-01-01")])
    acc = make_metered_account(db, tariff_code="RES", opened_on="2026-01-01")
    insert_bill(db, acc.account_id, t.version_ids[0], "2026-01-01", "2026-01-31")
    before = db.snapshot()
    for eff in ("2026-01-31", "2026-01-15", "2025-12-01"):
        with pytest.raises(DbError) as e:
            add(db, eff=eff)
        assert e.value.errno == 45030
    assert db.snapshot() == before
    add(db, eff="2026-02-01")            # the day after the billed period: fine


def test_bills_of_other_tariffs_and_cancelled_bills_do_not_count(db):
    other = make_tariff(db, code="OTHER", versions=[dict(effective_from="2026-01-01")])
    make_tariff(db, code="RES", versions=[dict(effective_from="2026-01-01")])
    acc = make_metered_account(db, tariff_code="OTHER")
    insert_bill(db, acc.account_id, other.version_ids[0], "2026-01-01", "2026-03-31")
    add(db, code="RES", eff="2026-02-01")
    res = make_metered_account(db, tariff_code="RES")
    rv = db.value("SELECT MIN(tariff_version_id) FROM tariff_version v JOIN tariff t "
                  "USING (tariff_id) WHERE t.code = 'RES'")
    insert_bill(db, res.account_id, rv, "2026-01-01", "2026-05-31", bill_no="2026-900002",
                cancelled=True)
    add(db, code="RES", eff="2026-03-01")


def test_concurrent_adds_of_the_same_date_one_wins(db, connect):
    """The tariff row lock serializes two adds: the second sees the first's version (45003)."""
    make_tariff(db, code="RES", versions=[])
    a, b = connect(), connect()
    a.execute("SET SESSION innodb_lock_wait_timeout = 5")
    b.execute("SET SESSION innodb_lock_wait_timeout = 5")
    # a holds the tariff lock in an open transaction, as the procedure would
    a.execute("START TRANSACTION")
    a.execute("SELECT tariff_id FROM tariff WHERE code = 'RES' FOR UPDATE")
    import threading
    result = {}

    def run():
        try:
            result["b"] = add(b, eff="2026-01-01")
        except DbError as e:
            result["b"] = e.errno

    th = threading.Thread(target=run)
    th.start()
    th.join(0.5)
    assert th.is_alive()                 # b waits for the tariff lock
    a.execute("INSERT INTO tariff_version (tariff_id, effective_from, fixed_charge, tax_rate_pct,"
              " late_fee_pct, early_pay_pct, early_pay_days) SELECT tariff_id, '2026-01-01', 0, 0,"
              " 0, 0, 0 FROM tariff WHERE code = 'RES'")
    a.execute("COMMIT")
    th.join(10)
    assert result["b"] == 45003


@pytest.mark.parametrize("rate,up_to,ok", [
    ("0.123456", "100", True),
    ("0.1234560000", "100.0000", True),                # trailing zeros are no decimals
    ("123456.123456", "9999999999.9999", True),
    ("0.1234567", "100", False),
    ("0.12345600000000000001", "100", False),          # a DOUBLE would make it 0.123456
    ("0.123456", "100.00000000000000000001", False),
    ("1.5e-1", "1E2", True),                           # 0.15 and 100
    ("1.2345678e-1", "100", False),                    # 0.12345678
    ("1.0000000000001e-1", "100", False),              # a DOUBLE rounds it, DECIMAL(40,12) too
    ("1e-7", "100", False),
    ("12e-5", "100", False),                           # 0.00012: written plain, it is fine
])
def test_block_numbers_are_read_exactly_as_written(db, rate, up_to, ok):
    """JSON numbers are checked as written, not as the DOUBLE MySQL parses them into."""
    make_tariff(db, code="RES", versions=[])
    blocks = f'[{{"up_to_kwh": {up_to}, "rate": {rate}}}, {{"up_to_kwh": null, "rate": 0.2}}]'
    if not ok:
        with pytest.raises(DbError) as e:
            add(db, blocks=blocks)
        assert e.value.errno == 45031, e.value.message
        return
    vid = add(db, blocks=blocks)["tariff_version_id"]
    assert db.row("SELECT up_to_kwh, rate FROM tariff_block WHERE tariff_version_id = %s "
                  "AND block_no = 1", vid) == {"up_to_kwh": Decimal(up_to), "rate": Decimal(rate)}
    assert Decimal(rate) == Decimal(rate).quantize(Decimal("0.000001"))

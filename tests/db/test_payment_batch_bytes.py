"""Bank files, byte for byte (stage_payment_batch / post_payment_batch): what an outside probe
found and its fixes.

- A line's method and account_no are compared as bytes on both ways of posting a line (the
  set-based way, _post_batch_segment, and one by one, _post_batch_line), as post_payment compares
  its method: 'CASH' and 'cash ' are refused with post_payment's 45002; 'a0001935' and
  'A0001935 ' are no account's number (45001). A differential test posts the same hostile lines
  once where they may go the set-based way and once where every line must go one by one, and
  once more through post_payment line by line: the outcomes, errors, messages and books agree.
- A value of the wrong JSON type (a key that is no string; an object or array for another
  field) is refused with 45002, never coerced (a key {"a": 1} was posted with an automatic key).
- A missing account_no, and a NULL batch id, are 45002 (a missing argument), not 45001.
- Batch references are compared byte for byte ('Ref-A', 'REF-A', 'Ref-A ' are three batches).
- p_lines arrives as bytes: text that is no UTF-8 is refused with 45002, in strict mode and
  without it (it was a raw 1366, or '?' that made two keys one).
"""
import json
import random
from decimal import Decimal as D

import pytest

from helpers.bills import assert_integrity, make_bill
from helpers.db import Db, DbError, truncate_all
from helpers.factories import ACTOR, make_metered_account
from test_payment_batch import _in_order, state

CLOCK = "2026-03-01 12:00:00"
BATCH_ACTOR = "batch:lockbox"
STRICT = ("STRICT_ALL_TABLES,ONLY_FULL_GROUP_BY,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
          "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
METHOD_MESSAGE = "method must be cash, card, cheque, bank_transfer or online, not '{}'"


class Raw(str):
    """A value written into the JSON text as it is (a JSON number, object, array, true...)."""


def to_json(lines):
    """The JSON array of the lines, Raw values unquoted."""
    def value(v):
        return str(v) if isinstance(v, Raw) else json.dumps(v)
    return "[" + ", ".join(
        "{" + ", ".join(f"{json.dumps(k)}: {value(v)}" for k, v in ln.items() if v is not ...)
        + "}" for ln in lines) + "]"


def stage(db, lines, ref="file-1.csv"):
    return db.call("stage_payment_batch", ref, to_json(lines), BATCH_ACTOR)


def post(db, batch_id):
    return db.call("post_payment_batch", batch_id, BATCH_ACTOR)


def outcomes(db, batch_id):
    return [(r["outcome"], r["errno"], r["message"]) for r in db.rows(
        "SELECT outcome, errno, message FROM payment_batch_line WHERE batch_id = %s "
        "ORDER BY line_no", batch_id)]


def plain_flags(db):
    """batch_window's plain flags of the session's last chunk (the set-based way or not)."""
    return [r["plain"] for r in db.rows("SELECT plain FROM batch_window ORDER BY line_no")]


def line(no, amount="12.50", method="cash", paid_at="2026-02-20 09:00:00", key=None):
    return {"account_no": no, "amount": amount, "method": method, "paid_at": paid_at, "key": key}


def companion(no):
    """A line of the same account that is refused before anything is read or written (amount 0):
    it makes its account's other line of the chunk go one by one, and changes nothing."""
    return line(no, amount="0", key=None)


def accounts(db, n, bills=True):
    """n open accounts (opened 2026-01-01), each with a bill of 40.00 (every third with a rebate
    of 2.00 until 25 Feb); their numbers and ids."""
    db.set_clock(CLOCK)
    tariff = None
    nos, ids = [], []
    for i in range(n):
        acc = make_metered_account(db, tariff_code=tariff)
        tariff = acc.tariff_code
        if bills:
            make_bill(db, acc.account_id, "40.00", "2026-02-15", issue_date="2026-01-31",
                      period_end="2026-01-30", tax="0.00",
                      rebate_amount="2.00" if i % 3 == 0 else "0",
                      rebate_date="2026-02-25" if i % 3 == 0 else None)
        nos.append(acc.account_no)
        ids.append(acc.account_id)
    return nos, ids


# ---- 1. method and account_no byte for byte, on both ways ----------------------------------

@pytest.mark.parametrize("one_by_one", [False, True], ids=["set-based", "one-by-one"])
def test_method_and_account_no_are_compared_as_bytes(db, one_by_one):
    nos, _ = accounts(db, 9, bills=False)
    hostile = [line(nos[0], method="CASH", key="m0"),
               line(nos[1], method="cash ", key="m1"),
               line(nos[2], method="Cash", key="m2"),
               line(nos[3], method="BANK_TRANSFER", key="m3"),
               line(nos[4].lower(), key="a4"),
               line(nos[5] + " ", key="a5"),
               line(" " + nos[6], key="a6"),
               line(nos[7], key="ok7"),                              # well-formed: posted
               line(nos[8], method="card", key="ok8")]
    lines = []
    for ln in hostile:
        if one_by_one:
            # the account's own number: the line of this account goes one by one
            lines.append(companion(ln["account_no"].strip().upper()))
        lines.append(ln)
    b = stage(db, lines)["batch_id"]
    post(db, b)
    got = outcomes(db, b)[1::2] if one_by_one else outcomes(db, b)
    flags = plain_flags(db)[1::2] if one_by_one else plain_flags(db)
    assert got == [
        ("refused", 45002, METHOD_MESSAGE.format("CASH")),
        ("refused", 45002, METHOD_MESSAGE.format("cash ")),
        ("refused", 45002, METHOD_MESSAGE.format("Cash")),
        ("refused", 45002, METHOD_MESSAGE.format("BANK_TRANSFER")),
        ("refused", 45001, f"no account with number '{nos[4].lower()}'"),
        ("refused", 45001, f"no account with number '{nos[5]} '"),
        ("refused", 45001, f"no account with number ' {nos[6]}'"),
        ("posted", None, None),
        ("posted", None, None)]
    # the well-formed lines went the way the test meant
    assert flags[7:] == ([0, 0] if one_by_one else [1, 1])
    assert db.rows("SELECT method FROM payment ORDER BY payment_id") == [
        {"method": "cash"}, {"method": "card"}]
    # post_payment refuses the same methods with the same error
    acc = db.value("SELECT account_id FROM account WHERE account_no = %s", nos[0])
    for m in ("CASH", "cash ", "Cash", "BANK_TRANSFER"):
        with pytest.raises(DbError) as e:
            db.call("post_payment", acc, "12.50", m, None, f"pp-{m}", ACTOR)
        assert (e.value.errno, e.value.message) == (45002, METHOD_MESSAGE.format(m))
    # the account of a lower-case number was not even locked: no line of it in the chunk
    assert_integrity(db)


# ---- 1. the differential test: the set-based way, one by one, post_payment -----------------

AMOUNTS = ["12.50", " 12.50", "12.50 ", "12.5", "12", "1e1", "12.50\n", "\t12.50", "+12.50",
           "012.50", "12.", ".5", "0.50", "1000000", "1000000.00", "1000000.01", "12.505",
           "12.500", "-0", "0", "", " ", None, "\uff11\uff12", "12,50", "0x10", "45.00",
           Raw("12.50"), Raw("12.5"), Raw("1e1"), Raw("12"), Raw("-5"), Raw("1E2"), Raw("0.10")]
METHODS = ["cash", "CASH", "cash ", " cash", "Cash", "cash\n", "bank_transfer", "BANK_TRANSFER",
           "online", "\uff43\uff41\uff53\uff48", None, "", "card\t", Raw("1")]
PAID = [None, "2026-02-20", "2026-02-20 09:00:00", " 2026-02-20", "2026-02-20 ", "2026-2-20",
        "2026-02-20T09:00:00", "2026-02-20 9:00", "2026-02-20\n", "2026-02-30",
        "2026-03-01 12:00:01", "2026-03-01 12:00:00", "2026-02-20 09:00:00.5", "1899-12-31",
        "2025-12-31", "2026-01-01", "2026-02-25 23:59:59", "2026-02-26", Raw("20260220")]
ACCOUNT_FORMS = ["exact", "exact", "exact", "lower", "trailing", "leading", "unknown", "none",
                 "number"]
KEY_FORMS = ["plain", "plain", "plain", "upper", "leading", "trailing", "none", "unicode",
             "newline", "blank", "empty", "del", "long"]


def _account(form, no):
    return {"exact": no, "lower": no.lower(), "trailing": no + " ", "leading": " " + no,
            "unknown": "X99999999", "none": None, "number": Raw("12345")}[form]


def _key(form, i):
    return {"plain": f"k{i}", "upper": f"K{i}", "leading": f" k{i}", "trailing": f"k{i} ",
            "none": None, "unicode": f"\u043a\u043b\u044e\u0447{i}", "newline": f"k{i}\n",
            "blank": " ", "empty": "", "del": f"k{i}\x7f", "long": f"k{i}" + "x" * 99}[form]


def hostile_lines(nos, seed):
    """One line per account: each hostile value with well-formed others, then random mixes."""
    specs = ([{"amount": a} for a in AMOUNTS] + [{"method": m} for m in METHODS]
             + [{"paid_at": p} for p in PAID] + [{"account": f} for f in ACCOUNT_FORMS[3:]]
             + [{"key": f} for f in KEY_FORMS[3:]])
    rnd = random.Random(seed)
    while len(specs) < len(nos):
        specs.append({"amount": rnd.choice(AMOUNTS[:6] + AMOUNTS), "method": rnd.choice(METHODS),
                      "paid_at": rnd.choice(PAID), "account": rnd.choice(ACCOUNT_FORMS),
                      "key": rnd.choice(KEY_FORMS)})
    rnd.shuffle(specs)
    out = []
    for i, s in enumerate(specs):
        out.append({"account_no": _account(s.get("account", "exact"), nos[i]),
                    "amount": s.get("amount", "12.50"), "method": s.get("method", "cash"),
                    "paid_at": s.get("paid_at", "2026-02-20 09:00:00"),
                    "key": _key(s.get("key", "plain"), i)})
    return out


def _text(v):
    """The text post_payment gets for a staged value (a JSON number as written)."""
    return None if v is None else str(v)


def _posted(db, batch_id):
    """Per line: its outcome, error and the payment it got (as its values, not its id)."""
    return [(r["outcome"], r["errno"], r["message"],
             None if r["amount"] is None else (r["account_id"], r["amount"], r["method"],
                                               r["paid_at"], r["k"], r["amount_allocated"]))
            for r in db.rows(
                "SELECT l.outcome, l.errno, l.message, p.account_id, p.amount, p.method, "
                "p.paid_at, IF(p.idempotency_key LIKE 'auto:%%', 'auto:', p.idempotency_key) "
                "AS k, p.amount_allocated FROM payment_batch_line l "
                "LEFT JOIN payment p ON p.payment_id = l.payment_id "
                "WHERE l.batch_id = %s ORDER BY l.line_no", batch_id)]


N_LINES = 110


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_ways_and_post_payment_end_hostile_lines_alike(db, _tables, seed):
    nos, ids = accounts(db, N_LINES)
    lines = hostile_lines(nos, seed)

    # the set-based way wherever a line is plain: one line per account and key
    b = stage(db, lines)["batch_id"]
    post(db, b)
    fast = _posted(db, b)
    fast_plain = plain_flags(db)
    fast_state = state(db)
    assert_integrity(db)
    # well-formed lines did go the set-based way (else this test would prove nothing)
    assert sum(fast_plain) >= 20, fast_plain

    # one by one: a refused line of the same account before each line
    truncate_all(db, _tables)
    assert accounts(db, N_LINES) == (nos, ids)
    forced = []
    for i, ln in enumerate(lines):
        forced += [companion(nos[i]), ln]
    b = stage(db, forced)["batch_id"]
    post(db, b)
    assert plain_flags(db) == [0] * len(forced)
    slow = _posted(db, b)
    assert all(x[:3] == ("refused", 45020, x[2]) for x in slow[0::2])
    slow = slow[1::2]
    slow_state = state(db)
    assert_integrity(db)

    for i, (f, s) in enumerate(zip(fast, slow)):
        assert f == s, (i, lines[i])
    assert _in_order(fast_state, [])[0] == _in_order(slow_state, [])[0]

    # post_payment line by line, with the account whose number the line has byte for byte
    truncate_all(db, _tables)
    assert accounts(db, N_LINES) == (nos, ids)
    by_no = dict(zip(nos, ids))
    want = []
    for ln in lines:
        no = ln["account_no"]
        acc = None if no is None else by_no.get(str(no), 4000000000)
        try:
            r = db.call("post_payment", acc, _text(ln["amount"]), _text(ln["method"]),
                        _text(ln["paid_at"]), ln["key"], BATCH_ACTOR)
            p = db.row("SELECT account_id, amount, method, paid_at, "
                       "IF(idempotency_key LIKE 'auto:%%', 'auto:', idempotency_key) AS k, "
                       "amount_allocated FROM payment WHERE payment_id = %s", r["payment_id"])
            want.append(("posted", None, None, tuple(p.values())))
        except DbError as e:
            if e.message == "account_id is required":
                # post_payment names its argument account_id; a batch line names account_no,
                # and a missing argument is 45002 (see test_missing_account_no_is_45002)
                want.append(("refused", 45002, "account_no is required", None))
            elif e.errno == 45001:
                # post_payment names the account by id, a batch line by number
                want.append(("refused", 45001, f"no account with number '{no}'", None))
            else:
                want.append(("refused", e.errno, e.message, None))
    line_state = state(db)
    for i, (f, w) in enumerate(zip(fast, want)):
        assert f == w, (i, lines[i])
    assert _in_order(fast_state, [])[0] == _in_order(line_state, [])[0]


# ---- 2. values of the wrong JSON type --------------------------------------------------------

def test_a_key_that_is_no_json_string_is_refused(db):
    nos, _ = accounts(db, 10, bills=False)
    cases = [(Raw('{"a": 1}'), "an object"), (Raw("[1, 2]"), "an array"),
             (Raw("12345"), "a number"), (Raw("1.5"), "a number"), (Raw("true"), "true or false"),
             (Raw("false"), "true or false")]
    lines = [line(nos[i], key=k) for i, (k, _) in enumerate(cases)]
    # null and absent keep their meaning: no key, an automatic one (no replay protection)
    lines += [line(nos[6], key=None), {"account_no": nos[7], "amount": "1.00", "method": "cash"},
              line(nos[8], key="ok")]
    # the same object key on a line that goes one by one (its account has two lines)
    lines += [line(nos[9], amount="0"), line(nos[9], key=Raw('{"a": 1}'))]
    b = stage(db, lines)["batch_id"]
    r = post(db, b)
    assert (r["posted"], r["refused"]) == (3, 8)
    got = outcomes(db, b)
    assert got[:6] == [("refused", 45002, f"idempotency_key must be a JSON string or null, not {w}")
                       for _, w in cases]
    assert got[6:9] == [("posted", None, None)] * 3
    assert got[10] == ("refused", 45002, "idempotency_key must be a JSON string or null, not an object")
    assert [bytes(r["k"]) for r in db.rows(
        "SELECT idempotency_key AS k FROM payment ORDER BY payment_id")][2] == b"ok"
    assert db.value("SELECT COUNT(*) FROM payment WHERE idempotency_key LIKE 'auto:%%'") == 2
    # the value is kept as received (its JSON text), the line marked
    row = db.row("SELECT idempotency_key, malformed FROM payment_batch_line "
                 "WHERE batch_id = %s AND line_no = 1", b)
    assert json.loads(row["idempotency_key"]) == {"a": 1}
    assert row["malformed"] == "key object"
    # no key: the null, the absent and the companion's (an object key is a key, of a wrong kind)
    assert db.value("SELECT no_key_count FROM payment_batch WHERE batch_id = %s", b) == 3
    assert_integrity(db)


@pytest.mark.parametrize("field", ["account_no", "amount", "method", "paid_at"])
@pytest.mark.parametrize("value, words", [(Raw('{"x": "12.50"}'), "an object"),
                                          (Raw('["cash"]'), "an array"),
                                          (Raw("[]"), "an array")])
def test_an_object_or_array_value_is_refused(db, field, value, words):
    nos, _ = accounts(db, 2, bills=False)
    bad = line(nos[0], key="v1")
    bad[field] = value
    b = stage(db, [bad, line(nos[1], key="v2")])["batch_id"]
    r = post(db, b)
    assert (r["posted"], r["refused"]) == (1, 1)
    assert outcomes(db, b)[0] == (
        "refused", 45002, f"{field} must be a JSON string, number or null, not {words}")
    assert db.value("SELECT COUNT(*) FROM payment") == 1


def test_the_first_wrong_field_is_named_and_numbers_stay_text(db):
    nos, _ = accounts(db, 2, bills=False)
    b = stage(db, [{"account_no": nos[0], "amount": Raw("[1]"), "method": Raw("{}"),
                    "key": Raw("{}")},
                   {"account_no": nos[1], "amount": Raw("12.50"), "method": "cash",
                    "paid_at": None, "key": "n1"}])["batch_id"]
    post(db, b)
    assert outcomes(db, b) == [
        ("refused", 45002, "amount must be a JSON string, number or null, not an array"),
        ("posted", None, None)]
    assert db.value("SELECT amount FROM payment") == D("12.50")


def test_an_object_value_longer_than_1000_characters_refuses_the_call(db):
    big = Raw(json.dumps({"x": "y" * 1000}))
    with pytest.raises(DbError) as e:
        stage(db, [line("A1", key=big)])
    assert (e.value.errno, e.value.message) == (
        45002, "lines hold a value longer than 1000 characters")
    # a string key of 1000 characters is no longer than that (its JSON text is)
    assert stage(db, [line("A1", key="k" * 1000)])["lines"] == 1


# ---- 3. missing arguments are 45002 ----------------------------------------------------------

def test_missing_account_no_is_45002(db):
    nos, _ = accounts(db, 1, bills=False)
    b = stage(db, [line(None, key="n1"), {"amount": "1.00", "method": "cash", "key": "n2"},
                   line(nos[0], key="n3")])["batch_id"]
    post(db, b)
    assert outcomes(db, b) == [("refused", 45002, "account_no is required")] * 2 + [
        ("posted", None, None)]


def test_a_null_batch_id_is_45002_an_unknown_one_45001(db):
    with pytest.raises(DbError) as e:
        db.call("post_payment_batch", None, BATCH_ACTOR)
    assert (e.value.errno, e.value.message) == (45002, "batch_id is required")
    with pytest.raises(DbError) as e:
        db.call("post_payment_batch", "abc", BATCH_ACTOR)
    assert e.value.errno == 45002
    with pytest.raises(DbError) as e:
        db.call("post_payment_batch", 987654, BATCH_ACTOR)
    assert (e.value.errno, e.value.message) == (45001, "no payment batch with id 987654")


# ---- 4. batch references byte for byte -------------------------------------------------------

def test_batch_refs_are_compared_byte_for_byte(db):
    refs = ["Ref-A", "REF-A", "Ref-A ", "ref-a", "Ref-\u00c4"]
    ids = [stage(db, [line("A1", key=f"r{i}")], ref=r)["batch_id"] for i, r in enumerate(refs)]
    assert len(set(ids)) == len(refs)
    # the same bytes append to the same open batch
    assert stage(db, [line("A1", key="r9")], ref="Ref-A") == {"batch_id": ids[0], "lines": 2}
    assert [r["batch_ref"] for r in db.rows(
        "SELECT batch_ref FROM payment_batch ORDER BY batch_id")] == refs
    # a posted batch frees its name
    post(db, ids[2])
    assert stage(db, [line("A1", key="r10")], ref="Ref-A ")["batch_id"] not in ids
    # the keys are there still, their columns binary or utf8mb4_bin
    cols = {r["c"]: r for r in db.rows(
        "SELECT column_name AS c, collation_name AS coll, data_type AS t "
        "FROM information_schema.columns WHERE table_schema = DATABASE() "
        "AND table_name = 'payment_batch' AND column_name IN ('batch_ref', 'open_ref')")}
    assert cols["batch_ref"]["coll"] == "utf8mb4_bin"
    assert cols["open_ref"]["t"] == "varbinary"
    keys = {r["k"] for r in db.rows(
        "SELECT DISTINCT index_name AS k FROM information_schema.statistics "
        "WHERE table_schema = DATABASE() AND table_name = 'payment_batch'")}
    assert {"uk_payment_batch_open_ref", "ix_payment_batch_ref"} <= keys


# ---- 5. bytes that are no UTF-8 ----------------------------------------------------------------

@pytest.mark.parametrize("mode", [STRICT, ""], ids=["strict", "no-strict"])
def test_lines_that_are_no_utf8_are_refused(db_url, db, mode):
    c = Db(db_url)
    try:
        c.execute("SET SESSION sql_mode = %s", mode)
        for raw in (b'[{"account_no": "A1", "amount": "1.00", "key": "k\xff"}]',
                    b'[{"account_no": "A1", "amount": "1.00", "key": "k\xc3"}]',
                    b'[{"account_no": "A1", "amount": "1.00", "key": "k\xc0\x80"}]'):
            cur = c.conn.cursor()
            with pytest.raises(Exception) as e:
                cur.execute(b"CALL stage_payment_batch('f.csv', '" + raw + b"', 'batch:x')")
            assert e.value.args[:2] == (
                45002, "lines must be UTF-8 text: they hold bytes that are not UTF-8"), raw
            cur.close()
        assert c.value("SELECT COUNT(*) FROM payment_batch") == 0
        # UTF-8 text passes, its keys kept byte for byte: 'ab\u00e7' and 'abc' are two keys
        cur = c.conn.cursor()
        cur.execute("CALL stage_payment_batch('f.csv', "
                    "'[{\"key\": \"ab\u00e7\"}, {\"key\": \"abc\"}, {\"key\": \"\U0001F600\"}]', "
                    "'batch:x')".encode())
        while cur.nextset():
            pass
        cur.close()
        assert [bytes(r["k"]) for r in c.rows(
            "SELECT idempotency_key AS k FROM payment_batch_line ORDER BY line_no")] == [
            "ab\u00e7".encode(), b"abc", "\U0001F600".encode()]
    finally:
        c.close()


def test_lines_as_python_text_still_stage(db):
    # what the web app sends (a str parameter): unchanged
    assert db.call("stage_payment_batch", "f.csv",
                   json.dumps([{"account_no": "A1", "key": "\u00e7a"}]), BATCH_ACTOR) == {
        "batch_id": 1, "lines": 1}
    assert bytes(db.value("SELECT idempotency_key FROM payment_batch_line")) == "\u00e7a".encode()

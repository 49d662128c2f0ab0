"""The tariff what-if (simulate_tariff) on the bench's data set, beside the billing run.

Two measurements, each a simulation of every tariff of the data set (RES, SMB, LIFE) under a
proposal (its version in force at the end of the year, fixed charge 1.00 higher):
- month: the bills of the measured run (period ends in that month): the same bills the run
  made, so the ratio to the run's time is the issue's target ("in about the time of a billing
  run of those bills");
- year: every bill of the data set (period ends in the whole year, 12 months of bills).
Each prints its seconds, bills, bills/s and its ratio to the measured run (seconds, and per bill).
"""
import json
import time
from decimal import Decimal

from common import Sql, log


def proposals(s, on):
    """Per tariff: (code, fixed charge, tax rate, blocks JSON) of its version in force on `on`,
    fixed charge 1.00 higher."""
    out = []
    for t in s.rows("SELECT tariff_id, code FROM tariff ORDER BY code"):
        v = s.row("SELECT * FROM tariff_version WHERE tariff_id = %s AND effective_from <= %s "
                  "ORDER BY effective_from DESC LIMIT 1", t["tariff_id"], on)
        if v is None:
            continue
        blocks = [{"up_to_kwh": None if b["up_to_kwh"] is None else str(b["up_to_kwh"]),
                   "rate": str(b["rate"])}
                  for b in s.rows("SELECT up_to_kwh, rate FROM tariff_block WHERE tariff_version_id = %s "
                                  "ORDER BY block_no", v["tariff_version_id"])]
        text = "[" + ", ".join(
            "{" + f'"up_to_kwh": {b["up_to_kwh"] or "null"}, "rate": {b["rate"]}' + "}"
            for b in blocks) + "]"
        json.loads(text)
        out.append((t["code"], str(v["fixed_charge"] + Decimal("1.00")), str(v["tax_rate_pct"]), text))
    return out


def simulate_all(s, date_from, date_to):
    t0 = time.perf_counter()
    bills, per = 0, []
    for code, fixed, tax, blocks in proposals(s, date_to):
        t = time.perf_counter()
        r = s.call("simulate_tariff", code, fixed, tax, blocks, date_from, date_to, "batch:bench")
        per.append({"tariff": code, "bills": int(r["bills"]), "seconds": round(time.perf_counter() - t, 2),
                    "accounts_up": int(r["accounts_up"]), "accounts_down": int(r["accounts_down"])})
        bills += int(r["bills"])
    return time.perf_counter() - t0, bills, per


def run(db, measured_run, period, year):
    """measured_run: the run's figures (seconds, bills); period: (start, end) of the measured
    month; year: (first, last) day of the data set's period ends, or None for the month only."""
    s = Sql(db)
    out = {}
    ranges = [("month", period)] + ([("year", year)] if year else [])
    for name, (date_from, date_to) in ranges:
        secs, bills, per = simulate_all(s, date_from, date_to)
        row = {"range": [str(date_from), str(date_to)], "seconds": round(secs, 2), "bills": bills,
               "bills_per_s": round(bills / secs, 1) if secs else None, "tariffs": per,
               "ratio_to_run": round(secs / measured_run["seconds"], 2) if measured_run["seconds"] else None}
        if bills and measured_run["bills"]:
            row["ratio_per_bill"] = round((secs / bills) / (measured_run["seconds"] / measured_run["bills"]), 2)
        out[name] = row
        log(f"{db}: what-if {name}: {row}")
    s.execute("DELETE FROM tariff_simulation")     # the bench's own rows, not part of the data set
    s.close()
    return out

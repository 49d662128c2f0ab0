"""Bulk upload of meter readings from CSV: one record_reading call per row.

The file has the columns serial, date, value, source (a header row naming them is optional and
skipped). Every row is checked for its shape (four fields, a date, a number with at most two
decimals, a known source: the same ReadingForm as the single-reading page) and then recorded by
its own call of the procedure, so one bad row never stops the rest and rows that were recorded
stay recorded. Each row's outcome is `accepted` or `review` (with the consumption) or `refused`
with the reason: the form's message for a malformed row, the contract's code and the server's
message for a row the procedure refused.
"""
import csv
import io
from dataclasses import dataclass

from billing import services
from billing.errors import BillingError
from billing.forms import ReadingForm

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10000
HEADER = ("serial", "serial_no")


@dataclass
class RowResult:
    line: int
    serial_no: str
    read_on: str
    value: str
    source: str
    outcome: str                 # accepted / review / refused
    detail: str
    reading_id: int = None
    consumption_kwh: object = None


class UploadError(ValueError):
    """The file as a whole cannot be read (not text, too large)."""


def decode(raw):
    if len(raw) > MAX_BYTES:
        raise UploadError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadError("The file is not a text (CSV) file.")


def _refused(line, cells, reason):
    cells = (list(cells) + ["", "", "", ""])[:4]
    return RowResult(line, *[c.strip() for c in cells], outcome="refused", detail=reason)


def import_readings(text, *, actor, record=services.record_reading):
    """Records every row of the CSV text; returns the list of RowResult (blank lines skipped)."""
    results = []
    reader = csv.reader(io.StringIO(text))
    rows = 0
    for cells in reader:
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if rows == 0 and not results and cells[0].strip().lower() in HEADER:
            continue                                            # the header row
        rows += 1
        if rows > MAX_ROWS:
            results.append(_refused(line, cells, f"More than {MAX_ROWS} rows: the rest of the "
                                                 "file was not read."))
            break
        if len(cells) != 4:
            results.append(_refused(line, cells, f"Expected 4 fields (serial, date, value, "
                                                 f"source), found {len(cells)}."))
            continue
        serial, date, value, source = (c.strip() for c in cells)
        form = ReadingForm({"serial_no": serial, "read_on": date, "value": value,
                            "source": source.lower()})
        if not form.is_valid():
            reasons = "; ".join(f"{name}: {' '.join(errs)}"
                                for name, errs in form.errors.items())
            results.append(_refused(line, cells, reasons))
            continue
        try:
            r = record(**form.procedure_arguments(), actor=actor)
        except BillingError as error:
            results.append(_refused(line, cells,
                                    f"{error.code}: {error.message}. {error.user_message}"))
            continue
        results.append(RowResult(line, serial, date, value, source, outcome=r["status"],
                                 detail=f"{r['consumption_kwh']} kWh",
                                 reading_id=r["reading_id"],
                                 consumption_kwh=r["consumption_kwh"]))
    return results


def summary(results):
    counts = {"accepted": 0, "review": 0, "refused": 0}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts

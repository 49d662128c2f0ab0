"""Bulk upload of meter readings from CSV: one record_reading call per row.

The file has the columns serial, date, value, source (a header row naming them is optional and
skipped). Every row is checked for its shape (four fields, a date, a number with at most two
decimals, a known source: the same ReadingForm as the single-reading page) and then recorded by
its own call of the procedure, so one bad row never stops the rest and rows that were recorded
stay recorded. Each row's outcome is `accepted` or `review` (with the consumption) or `refused`
with the reason: for a malformed row a sentence per cell naming its column (form_refusal: "Date:
“2026-13-01” is not a date ..."), for a row the procedure refused the refusal in words
(errors.refusal). Cells are read as the bank files' are
(csv_export.unquote_cell): the refused rows' download, fixed and uploaded again, reads as the
rows did.
"""
import csv
import io
import re
from dataclasses import dataclass

from billing import errors, formatting, services
from billing.csv_export import unquote_cell
from billing.errors import BillingError
from billing.forms import READING_SOURCES, ReadingForm

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
    """The file as a whole cannot be read (not text, too large, not readable as CSV)."""


# control characters no CSV text holds (tab, line feed and carriage return excepted): cp1252
# decodes nearly any bytes, so a spreadsheet (a zip), a PDF or an image would otherwise be read
# as text and every line refused one by one
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(raw):
    """The uploaded bytes as text: UTF-8 (with or without its byte-order mark), else cp1252 (a
    spreadsheet's "CSV" on Windows). UploadError when the file is too large or is not text."""
    if len(raw) > MAX_BYTES:
        raise UploadError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _BINARY.search(text):
            return text
        break
    raise UploadError("The file is not a text (CSV) file. A spreadsheet must be saved as CSV "
                      "before it is uploaded.")


def _refused(line, cells, reason):
    cells = (list(cells) + ["", "", "", ""])[:4]
    return RowResult(line, *[c.strip() for c in cells], outcome="refused", detail=reason)


def _rows(text):
    """(line number, cells) of each row of the CSV text, whatever its line ends (\r\n, \n, or
    \r alone as Excel for Mac writes them). UploadError when the text cannot be read as CSV: a
    value over the csv module's limit (131,072 characters), a line break inside an unquoted
    value."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error:
        raise UploadError(f"Line {max(reader.line_num, 1)} of the file cannot be read as CSV: "
                          "a value is far too long or holds a line break outside quotes.") from None


def _parse(text):
    """The file's rows in order, blank lines and a header skipped: (line, cells, form or None,
    refusal or None). A row with a refusal is refused whatever the database would say.
    UploadError (from _rows) when the text cannot be read as CSV."""
    rows = 0
    for line, cells in _rows(text):
        if not cells or all(not c.strip() for c in cells):
            continue
        if rows == 0 and cells[0].strip().lower() in HEADER:
            continue                                            # the header row
        rows += 1
        if rows > MAX_ROWS:
            yield line, cells, None, (f"More than {MAX_ROWS} rows: the rest of the file was "
                                      "not read.")
            return
        # a cell of our own refused-rows CSV comes back without the export's "'" (csv_export)
        cells = [unquote_cell(c.strip()) for c in cells]
        if len(cells) != 4:
            yield line, cells, None, (f"Expected 4 fields (serial, date, value, source), found "
                                      f"{len(cells)}.")
            continue
        serial, date, value, source = cells
        form = ReadingForm({"serial_no": serial, "read_on": date, "value": value,
                            "source": source.lower()})
        if not form.is_valid():
            yield line, cells, None, form_refusal(form, dict(zip(FIELDS, cells)))
            continue
        yield line, cells, form, None


# The columns as the page, the template and docs/backoffice.md name them (serial,date,value,source)
# and the form's field each fills; a malformed row's reason names the column, never the field.
FIELDS = ("serial_no", "read_on", "value", "source")
COLUMNS = {"serial_no": "Serial", "read_on": "Date", "value": "Value", "source": "Source"}
SOURCES = ", ".join(code for code, _ in READING_SOURCES[:-1]) + " or " + READING_SOURCES[-1][0]


def _quoted(text):
    text = (text or "").strip()
    return f"\u201c{text[:40]}{'…' if len(text) > 40 else ''}\u201d"


def _column_sentence(name, error, raw):
    """One form error of a row's cell as a sentence about the column ("Date: …")."""
    column, code = COLUMNS.get(name, name), error.code
    if code == "required":
        return f"{column}: missing."
    if name == "read_on" and code == "invalid":
        return f"{column}: {_quoted(raw)} is not a date: write it as YYYY-MM-DD (e.g. 2026-02-28)."
    if name == "source" and code == "invalid_choice":
        return f"{column}: {_quoted(raw)} is not a source: write {SOURCES}."
    if name == "value" and code == "invalid":
        return f"{column}: {_quoted(raw)} is not a number: write it like 1350 or 20417.5."
    if name == "value" and code == "max_decimal_places":
        return f"{column}: {_quoted(raw)} has more than two decimals."
    if name == "value" and code in ("max_digits", "max_whole_digits"):
        return f"{column}: {_quoted(raw)} is too large: at most 10 digits before the point."
    words = " ".join(str(m) for m in error.messages)
    return f"{column}: {words}"


def form_refusal(form, raw):
    """Why the form refused a row, in sentences that name the columns (COLUMNS): "Date: “2026-13-01”
    is not a date: write it as YYYY-MM-DD (e.g. 2026-02-28)." `raw`: the row's cells by field."""
    return " ".join(_column_sentence(name, error, raw.get(name))
                    for name, errs in form.errors.as_data().items() for error in errs)


def _refusal(error):
    return error.sentence


def import_readings(text, *, actor, record=services.record_reading):
    """Records every row of the CSV text; returns the list of RowResult (blank lines skipped);
    UploadError, before any row is recorded, when the text cannot be read as CSV."""
    results = []
    for line, cells, form, refusal in list(_parse(text)):   # read whole first: none or all
        if refusal is not None:
            results.append(_refused(line, cells, refusal))
            continue
        try:
            r = record(**form.procedure_arguments(), actor=actor)
        except BillingError as error:
            results.append(_refused(line, cells, _refusal(error)))
            continue
        serial, date, value, source = (c.strip() for c in cells)
        results.append(RowResult(line, serial, date, value, source, outcome=r["status"],
                                 detail=formatting.kwh(r["consumption_kwh"]),
                                 reading_id=r["reading_id"],
                                 consumption_kwh=r["consumption_kwh"]))
    return results


def preview_readings(text, *, actor, preview=services.preview_readings):
    """What import_readings would do with the CSV text, nothing recorded: the rows that pass the
    form go through preview_readings (record_reading's own checks, row after row, rolled back).
    Returns the list of RowResult (outcome accepted / review / refused, no reading_id);
    UploadError, before any call, when the text cannot be read as CSV."""
    parsed = list(_parse(text))
    good = [(line, cells, form) for line, cells, form, refusal in parsed if refusal is None]
    outcomes = preview(rows=[form.procedure_arguments() for _, _, form in good], actor=actor) \
        if good else []
    by_line = {line: o for (line, _, _), o in zip(good, outcomes)}
    results = []
    for line, cells, form, refusal in parsed:
        if refusal is not None:
            results.append(_refused(line, cells, refusal))
            continue
        o = by_line[line]
        if o["outcome"] == "refused":
            error = errors.error_for(o["errno"], o["message"])
            results.append(_refused(line, cells, _refusal(error)))
            continue
        serial, date, value, source = (c.strip() for c in cells)
        results.append(RowResult(line, serial, date, value, source, outcome=o["outcome"],
                                 detail=formatting.kwh(o["consumption_kwh"]),
                                 consumption_kwh=o["consumption_kwh"]))
    return results


def refused_rows(results):
    """The refused rows in the upload's own four columns, to fix and upload again."""
    return [[r.serial_no, r.read_on, r.value, r.source] for r in results if r.outcome == "refused"]


TEMPLATE_ROWS = [["serial", "date", "value", "source"],
                 ["M-1001", "2026-02-28", "1350", "field"],
                 ["M-1002", "2026-02-28", "20417.5", "smart"]]


def summary(results):
    counts = {"accepted": 0, "review": 0, "refused": 0}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts

"""Bank files: reading an uploaded CSV into the lines of stage_payment_batch.

The format (docs/backoffice.md, "Bank files"): UTF-8 text (a byte-order mark is allowed), comma
separated, a header line `account_no,amount,method,paid_at,key` (in that order, any case;
further columns after these five are allowed and ignored, so a downloaded file of refused lines
can be fixed and uploaded again), then one payment per line. An empty cell is "not given"
(NULL): an empty paid_at is the posting's now, an empty key makes the payment unprotected
against a second arrival. Blank lines are skipped. A cell that begins with `'` and then one of
the characters our CSV export defuses (`=`, `+`, `-`, `@`, tab, CR) is read without that `'`
(csv_export.unquote_cell): a downloaded file of refused lines, uploaded again, gives the same
keys, amounts and accounts.

Only the file's shape is checked here (size, encoding, header, number of fields, value length):
what a line means (account, amount, method, date, key) is judged by posting, exactly as
post_payment judges it, and the preview shows the lines that will be refused from the staged
table (v_staff_payment_batch_line), not from Python. A refused file stages nothing.
Staging sends the lines in chunks of CHUNK_LINES (one stage_payment_batch call each, appending
to the same open batch).
"""
import csv
import io

from billing.csv_export import unquote_cell
from billing.errors import FILE_ERRORS

COLUMNS = ("account_no", "amount", "method", "paid_at", "key")
MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 10_000
CHUNK_LINES = 1_000
MAX_VALUE = 1000                 # stage_payment_batch refuses longer values
TEMPLATE_ROWS = (
    COLUMNS,
    ("A0000007", "120.50", "bank_transfer", "2026-11-28 09:30:00", "bank:2026-11-28:000001"),
)


class FileRefused(ValueError):
    """The file as a whole cannot be staged; `code` is a key of errors.FILE_ERRORS."""

    def __init__(self, code, **fields):
        self.code = code
        super().__init__(FILE_ERRORS[code].format(**fields))


def _list(numbers, shown=10):
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (f" and {len(numbers) - shown} more" if len(numbers) > shown else "")


def read_lines(raw):
    """The payment lines of an uploaded file (bytes) as dicts with the keys of COLUMNS (values:
    text, None for an empty cell), or FileRefused."""
    if len(raw) > MAX_BYTES:
        raise FileRefused("too_large", limit_mb=MAX_BYTES // 1024 // 1024, max_lines=MAX_LINES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("not_utf8") from None
    if "\x00" in text:
        raise FileRefused("not_text")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    lines, wrong, long_ = [], [], []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
                if tuple(header[:len(COLUMNS)]) != COLUMNS:
                    raise FileRefused("bad_header", expected=",".join(COLUMNS),
                                      found=",".join(c.strip() for c in cells)[:200])
                continue
            if len(lines) >= MAX_LINES:
                raise FileRefused("too_many_lines", max_lines=MAX_LINES)
            if len(cells) != len(header):
                wrong.append(reader.line_num)
                lines.append(None)
                continue
            values = [unquote_cell(c.strip()) for c in cells[:len(COLUMNS)]]
            if any(len(v) > MAX_VALUE for v in values):
                long_.append(reader.line_num)
            lines.append({k: (v if v != "" else None) for k, v in zip(COLUMNS, values)})
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):      # over 131,072 characters
            raise FileRefused("too_long", limit=MAX_VALUE,
                              lines=_list(long_ + [reader.line_num])) from None
        raise FileRefused("not_text") from None
    if header is None:
        raise FileRefused("bad_header", expected=",".join(COLUMNS), found="an empty file")
    if wrong:
        raise FileRefused("wrong_fields", expected=len(header), lines=_list(wrong))
    if long_:
        raise FileRefused("too_long", limit=MAX_VALUE, lines=_list(long_))
    if not lines:
        raise FileRefused("no_lines")
    return lines


def chunks(lines, size=None):
    size = size or CHUNK_LINES
    for start in range(0, len(lines), size):
        yield lines[start:start + size]


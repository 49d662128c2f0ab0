"""XLSX exports of the reports (`?format=xlsx`), the same table as their CSV (csv_export.py).

openpyxl (pinned in requirements.txt) in write-only mode: rows are streamed into the workbook,
never a whole sheet of cell objects in memory. Cells keep their types: amounts and kWh are
numbers (Decimal, with a number format), counts integers, days dates; text is text.

Formula injection: openpyxl stores a string that begins with `=` as a formula. Every text cell
is written as a string cell (data type `s`) whatever it begins with, so `=HYPERLINK(...)` in a
customer's name is shown as those characters, never run. (CSV needs the leading `'` of
csv_export.safe_cell; in XLSX the cell type says it.)
"""
import datetime
import io
import numbers
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"money": "#,##0.00", "kwh": "#,##0.0###", "date": "yyyy-mm-dd"}


def _cell(ws, value, kind=None, bold=False):
    if isinstance(value, Decimal) or (isinstance(value, numbers.Number)
                                       and not isinstance(value, bool)):
        c = WriteOnlyCell(ws, value=value)
        if kind in FORMATS:
            c.number_format = FORMATS[kind]
    elif isinstance(value, (datetime.date, datetime.datetime)):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = FORMATS["date"]
    elif value is None:
        c = WriteOnlyCell(ws, value=None)
    else:
        c = WriteOnlyCell(ws, value=str(value))
        c.data_type = "s"                    # never a formula (see the module)
    if bold:
        c.font = Font(bold=True)
    return c


def xlsx_response(name, header, rows, *, kinds=None, title=None):
    """An attachment `<name>.xlsx`: one sheet (`title`, else `name`), a bold header row of
    `header`, then `rows` (lists of cell values in the header's order); `kinds` (one per column:
    "money", "kwh", "date" or None) picks the number formats."""
    kinds = list(kinds or [None] * len(header))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(title or name)[:31])
    ws.append([_cell(ws, h, bold=True) for h in header])
    for row in rows:
        ws.append([_cell(ws, v, k) for v, k in zip(row, kinds)])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

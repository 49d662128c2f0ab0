"""CSV exports, one helper for all of them (the reports' `?format=csv`).

Formula injection: a spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and some
also after a leading tab or carriage return) as a formula. Every text cell that begins with one
of those characters is written with a leading `'`, which spreadsheets show as text; numbers
(int, Decimal, float), dates and None are written as they are, so a negative amount stays the
number -3.00. Text from the database (account numbers, tariff codes, names) is text, even when it
looks like a number.
"""
import csv
import datetime
import numbers

from django.http import HttpResponse

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write in one CSV cell (see the module)."""
    if value is None:
        return ""
    if isinstance(value, (numbers.Number, datetime.date, datetime.datetime)):
        return value
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def csv_response(name, columns, rows):
    """An attachment `<name>.csv`: a header of `columns`, then each row's attributes."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(getattr(row, c)) for c in columns])
    return response


def csv_rows_response(name, rows):
    """An attachment `<name>.csv` of plain rows (lists of cells), each cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return response

"""CSV exports, one helper for all of them (the reports' `?format=csv`).

Formula injection: a spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and some
also after a leading tab or carriage return) as a formula. Every text cell that begins with one
of those characters is written with a leading `'`, which spreadsheets show as text; numbers
(int, Decimal, float), dates and None are written as they are, so a negative amount stays the
number -3.00. Text from the database (account numbers, tariff codes, names) is text, even when it
looks like a number.

A file written here may come back as an upload (a bank file's or a reading upload's refused
lines, fixed and uploaded again): the importers read each cell through `unquote_cell`, which
undoes exactly that `'` (before one of DANGEROUS_FIRST) and nothing else.
"""
import csv
import datetime
import numbers

from django.http import HttpResponse, StreamingHttpResponse

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write in one CSV cell (see the module)."""
    if value is None:
        return ""
    if isinstance(value, (numbers.Number, datetime.date, datetime.datetime)):
        return value
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def unquote_cell(text):
    """The text of a cell as it was before safe_cell: a leading `'` followed by one of
    DANGEROUS_FIRST is safe_cell's and is dropped ("'-2" -> "-2", "'=cmd" -> "=cmd"); any other
    text is returned as it is ("'abc", "'" and "''=x" stay)."""
    if text.startswith("'") and text[1:].startswith(DANGEROUS_FIRST):
        return text[1:]
    return text


def csv_response(name, columns, rows):
    """An attachment `<name>.csv`: a header of `columns`, then each row's attributes."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(getattr(row, c)) for c in columns])
    return response


def table_csv_response(name, header, rows):
    """An attachment `<name>.csv` of a table: `header` (the column names as people read them),
    then `rows` (an iterable of lists of cell values, in the header's order). The reports' CSV;
    billing/xlsx_export.py writes the same table as XLSX."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return response


class _Echo:
    """A file that hands back what is written to it (csv.writer into a streamed response)."""

    def write(self, value):
        return value


def table_csv_stream(name, header, rows):
    """table_csv_response, streamed: `rows` is read and written as the client downloads, so an
    export of hundreds of thousands of rows (a day of bank files) is never held whole."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([safe_cell(c) for c in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response

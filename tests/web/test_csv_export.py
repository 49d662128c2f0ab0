"""CSV exports neutralise formula cells (issue 16 §8): one helper, billing.csv_export, used by
every export."""
import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from billing.csv_export import csv_response, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+cmd", "@SUM(A1)", "\t=1", "\r=1",
                                  "=HYPERLINK(\"http://x\")"])
def test_a_text_cell_that_starts_a_formula_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value, written", [("RES", "RES"), ("A0000001", "A0000001"),
                                            ("a=b", "a=b"), ("", ""), (None, ""),
                                            (Decimal("-3.00"), Decimal("-3.00")), (-2, -2),
                                            (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))])
def test_other_cells_and_numbers_are_written_as_they_are(value, written):
    assert safe_cell(value) == written


def test_the_response_writes_safe_cells():
    rows = [SimpleNamespace(code="=cmd|' /C calc'!A0", amount=Decimal("-3.00"), note=None)]
    r = csv_response("t", ("code", "amount", "note"), rows)
    assert r["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert list(csv.reader(io.StringIO(r.content.decode()))) == [
        ["code", "amount", "note"], ["'=cmd|' /C calc'!A0", "-3.00", ""]]


def test_every_csv_export_uses_the_helper():
    """No module of the web app writes CSV itself (csv.writer) except the helper."""
    root = Path(__file__).resolve().parents[2] / "webapp"
    writers = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
               if "csv.writer" in p.read_text() or "csv.DictWriter" in p.read_text()]
    assert writers == ["billing/csv_export.py"]


def test_unquote_cell_undoes_exactly_what_safe_cell_adds():
    from billing.csv_export import DANGEROUS_FIRST, safe_cell, unquote_cell
    texts = ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "", "1.00",
             "'abc", "'", "a'=b", "-", "=", "'1"]
    for t in texts:
        if not t.startswith("'"):
            assert unquote_cell(safe_cell(t)) == t, t
    for first in DANGEROUS_FIRST:
        assert unquote_cell("'" + first + "x") == first + "x"
    # only the export's own quote goes: anything else stays as typed
    for t in ("'abc", "'", "''=x", "'1", "x'-y", " '=x"):
        assert unquote_cell(t) == t, t

"""db/triggers/audited.toml (from which the audit triggers are generated) lists every stored
column of each audited table, in table order: a column added by a migration without a
re-generation of the triggers fails here."""
import tomllib
from pathlib import Path

from test_audit import AUDITED

DESCRIPTION = Path(__file__).resolve().parents[2] / "db" / "triggers" / "audited.toml"


def test_the_description_lists_every_stored_column_of_every_audited_table(db):
    with open(DESCRIPTION, "rb") as f:
        described = {t: d["columns"] for t, d in tomllib.load(f).items()}
    assert sorted(described) == sorted(AUDITED)
    for table, columns in described.items():
        stored = [r["c"] for r in db.rows(
            "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()"
            " AND table_name = %s AND extra NOT LIKE '%%GENERATED%%' ORDER BY ordinal_position",
            table)]
        assert columns == stored, table

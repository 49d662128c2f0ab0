"""Creates routines, triggers and views from their files under db/, for yoyo migrations.

yoyo's SQL splitter cannot read a routine body (no DELIMITER, and it breaks on
REPEAT ... END REPEAT), so a migration that creates routines is a Python migration:

    from deploy import routine_steps          # see migrations/*.py for the sys.path line
    steps = routine_steps({
        "procedures/post_payment.sql": "9c1f0a2b3d4e",
    })

Each entry pins the first 12 hex digits of the SHA-256 of the file as it was when the
migration was written. Changing a routine means a new migration that pins the new hash
(`bin/routine-migration NAME FILE...` writes one), so every version of every routine is in git
and in `_yoyo_migration`. On a database that runs an old migration after the file has moved on
(a fresh database applying the whole history), the old step is skipped and the newest migration
that pins the current hash creates the routine; so a routine file may rely on schema changes
made by migrations before the one that pins it, never on anything after it.
tests/test_migrations.py checks that every file under db/ is pinned at its current hash.

Each file holds one CREATE statement without a DEFINER; the step drops the object and creates
it again with the session's sql_mode set to the project's (routines keep the sql_mode they were
created with), so a routine behaves the same whatever the server's default is.
"""
import hashlib
import re
from pathlib import Path

DB_DIR = Path(__file__).resolve().parent
SQL_MODE = ("STRICT_ALL_TABLES,ONLY_FULL_GROUP_BY,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
            "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
_CREATE = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?"
    r"(PROCEDURE|FUNCTION|TRIGGER|VIEW)\s+`?(\w+)`?",
    re.IGNORECASE | re.MULTILINE)


def file_hash(relpath):
    return hashlib.sha256((DB_DIR / relpath).read_bytes()).hexdigest()[:12]


def parse(relpath):
    """(kind, name, sql) of the CREATE statement in a routine file."""
    sql = (DB_DIR / relpath).read_text(encoding="utf-8")
    m = _CREATE.search(sql)
    if not m:
        raise ValueError(f"{relpath}: no CREATE PROCEDURE/FUNCTION/TRIGGER/VIEW statement")
    return m.group(1).upper(), m.group(2), sql[m.start():].strip().rstrip(";").rstrip()


def create(cursor, relpath):
    kind, name, sql = parse(relpath)
    cursor.execute(f"SET SESSION sql_mode = '{SQL_MODE}'")
    cursor.execute(f"DROP {kind} IF EXISTS `{name}`")
    cursor.execute(sql)


def drop(cursor, relpath):
    kind, name, _ = parse(relpath)
    cursor.execute(f"DROP {kind} IF EXISTS `{name}`")


def routine_steps(pinned):
    """yoyo steps that create each file of `pinned` (relative path -> pinned hash) in order."""
    from yoyo import step

    def make(relpath, want):
        def apply(conn):
            if file_hash(relpath) != want:
                return  # a later migration pins the file's current version and creates it
            create(conn.cursor(), relpath)
        return step(apply)

    return [make(path, want) for path, want in pinned.items()]

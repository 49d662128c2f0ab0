"""The schema comes from the migrations alone, and every routine file under db/ is deployed."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "db"))
import deploy  # noqa: E402


def routine_files():
    return sorted(p.relative_to(ROOT / "db").as_posix()
                  for sub in ("procedures", "functions", "triggers", "views")
                  for p in (ROOT / "db" / sub).glob("*.sql"))


def pinned_hashes():
    """relative path -> set of hashes pinned by some migration."""
    pins = {}
    for m in (ROOT / "migrations").glob("*.py"):
        for path, h in re.findall(r'"([\w/]+\.sql)":\s*"([0-9a-f]{12})"', m.read_text()):
            pins.setdefault(path, set()).add(h)
    return pins


def test_every_routine_file_is_pinned_at_its_current_version():
    pins = pinned_hashes()
    stale = [f for f in routine_files() if deploy.file_hash(f) not in pins.get(f, set())]
    assert not stale, (f"routine files changed without a migration: {stale}; "
                       "run bin/routine-migration NAME FILE...")


def test_every_routine_file_is_named_after_its_object():
    for f in routine_files():
        kind, name, _ = deploy.parse(f)
        assert Path(f).stem == name, f"{f} creates {kind} {name}"
        assert Path(f).parts[0] == {"PROCEDURE": "procedures", "FUNCTION": "functions",
                                    "TRIGGER": "triggers", "VIEW": "views"}[kind], f


def test_every_routine_file_exists_in_the_migrated_database(db):
    present = {(r["k"], r["n"]) for r in db.rows(
        "SELECT routine_type AS k, routine_name AS n FROM information_schema.routines "
        "WHERE routine_schema = DATABASE() "
        "UNION ALL SELECT 'TRIGGER', trigger_name FROM information_schema.triggers "
        "WHERE trigger_schema = DATABASE() "
        "UNION ALL SELECT 'VIEW', table_name FROM information_schema.views WHERE table_schema = DATABASE()")}
    missing = [f for f in routine_files() if deploy.parse(f)[:2] not in present]
    assert not missing


def test_reapplying_the_migrations_is_a_no_op(db_url):
    from yoyo import get_backend, read_migrations
    backend = get_backend(db_url)
    try:
        assert not backend.to_apply(read_migrations(str(ROOT / "migrations")))
    finally:
        backend.connection.close()


def test_database_matches_the_sql_contract(db_url):
    check = ROOT.parent / "shared" / "bin" / "check-contract"
    out = subprocess.run([sys.executable, str(check), "--missing-ok", db_url],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr

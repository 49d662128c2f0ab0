"""Deploys the routine files under db/ (repeatable: re-created whenever a file changes) and
verifies that the server runs what the files say.

    python db/deploy.py apply  DATABASE_URL   # what migrations/9999_routines.py does
    python db/deploy.py verify DATABASE_URL   # bin/verify-routines: exit 1 on any difference

Tables change through ordinary yoyo migrations; routines do not need one. After the table
migrations, `yoyo apply` runs migrations/9999_routines.py, which calls deploy() (a post-apply
hook then marks it unapplied again, so every `yoyo apply` runs it). deploy():
- reads every file under db/functions, db/procedures, db/views, db/triggers (one CREATE
  statement each, no DELIMITER, no DEFINER, named after its object);
- re-creates, in dependency order (functions, procedures, views with the views they read first,
  triggers), each object whose file's SHA-256 differs from the one recorded when it was last
  deployed, that is missing, whose definition on the server is no longer the one deployed
  (changed by hand: the files win), or that was created under another default collation of
  the database (its parameters and locals took that one);
- drops every procedure, function, view and trigger of the schema that has no file;
- gives back the grants others held on a re-created procedure or function (DROP removes
  them), when the deploying account can read mysql.procs_priv (else bin/db-accounts must);
  a view keeps its grants by itself;
- records, per object, in the table `_yoyo_routine` (kind, name, path, sha256 of the file,
  definition_sha256 of the server's definition right after creating it, deployed_at).
Procedures and functions also get their file's header comment as their COMMENT (what a DBA reads
in information_schema.ROUTINES), ending with the file's path and SHA-256. Objects are created
with the project's sql_mode (a routine keeps the sql_mode it was created with).

verify() reports, without changing anything, what deploy() would change: files whose object is
missing or not yet deployed at the file's hash, objects changed on the server since they were
deployed or created under another database collation, and objects of the schema that have no
file.
"""
import graphlib
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DB_DIR = Path(__file__).resolve().parent
SQL_MODE = ("STRICT_ALL_TABLES,ONLY_FULL_GROUP_BY,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
            "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
KINDS = ("FUNCTION", "PROCEDURE", "VIEW", "TRIGGER")          # the order of creation
DIRS = {"FUNCTION": "functions", "PROCEDURE": "procedures", "VIEW": "views",
        "TRIGGER": "triggers"}
TABLE = "_yoyo_routine"
BINLOG_MESSAGE = ("Creating routines with the binary log on needs "
                  "log_bin_trust_function_creators=1 (or SUPER): set it on the server and run "
                  "yoyo apply again")
COMMENT_MAX = 16000   # bytes; MariaDB: TEXT (64 KiB); MySQL's mysql-sys has several-KB COMMENTs

_CREATE = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?"
    r"(PROCEDURE|FUNCTION|TRIGGER|VIEW)\s+`?(\w+)`?",
    re.IGNORECASE | re.MULTILINE)
_BODY = re.compile(r"^\s*(BEGIN|RETURN)\b", re.IGNORECASE | re.MULTILINE)
_COMMENT_LINE = re.compile(r"^[ \t]*COMMENT\s+'(?:[^'\\]|''|\\.)*'[ \t]*\n", re.IGNORECASE | re.MULTILINE)
_CHARACTERISTIC = re.compile(
    r"^[ \t]*(?:SQL\s+SECURITY|NOT\s+DETERMINISTIC|DETERMINISTIC|CONTAINS\s+SQL|NO\s+SQL|"
    r"READS\s+SQL\s+DATA|MODIFIES\s+SQL\s+DATA|LANGUAGE\s+SQL)\b", re.IGNORECASE | re.MULTILINE)


class DeployError(Exception):
    pass


@dataclass
class Routine:
    kind: str       # FUNCTION, PROCEDURE, VIEW, TRIGGER
    name: str
    path: str       # relative to db/, e.g. procedures/post_payment.sql
    sha256: str     # of the file's bytes
    header: str     # the leading comment, without its "-- "
    sql: str        # the CREATE statement as executed (COMMENT = header for routines)

    @property
    def key(self):
        return (self.kind, self.name)


def file_hash(relpath, db_dir=DB_DIR):
    return hashlib.sha256((Path(db_dir) / relpath).read_bytes()).hexdigest()


def parse(relpath, db_dir=DB_DIR):
    """(kind, name, sql) of the CREATE statement in a routine file."""
    sql = (Path(db_dir) / relpath).read_text(encoding="utf-8")
    m = _CREATE.search(sql)
    if not m:
        raise ValueError(f"{relpath}: no CREATE PROCEDURE/FUNCTION/TRIGGER/VIEW statement")
    return m.group(1).upper(), m.group(2), sql[m.start():].strip().rstrip(";").rstrip()


def header(relpath, db_dir=DB_DIR):
    """The file's leading comment lines, without their '--' (and one space)."""
    text = (Path(db_dir) / relpath).read_text(encoding="utf-8")
    lines = []
    for line in text[:_CREATE.search(text).start()].splitlines():
        if line.startswith("--"):
            lines.append(line[3:] if line.startswith("-- ") else line[2:])
    return "\n".join(lines).strip("\n")


def _quote(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def with_comment(kind, sql, comment):
    """The CREATE PROCEDURE/FUNCTION statement with `comment` as its COMMENT characteristic
    (replacing a COMMENT line of the file, else before its first characteristic)."""
    body = _BODY.search(sql)
    head, rest = sql[:body.start()], sql[body.start():]
    clause = f"    COMMENT {_quote(comment)}\n"
    if _COMMENT_LINE.search(head):
        return _COMMENT_LINE.sub(lambda m: clause, head, count=1) + rest
    m = _CHARACTERISTIC.search(head)
    if not m:
        raise ValueError(f"{kind} has no characteristics (SQL SECURITY ...) to put a COMMENT before")
    return head[:m.start()] + clause + head[m.start():] + rest


def load(db_dir=None):
    """Every routine file under db/, as Routine objects (in no particular order)."""
    db_dir = Path(db_dir or DB_DIR)
    out = []
    for kind in KINDS:
        for p in sorted((db_dir / DIRS[kind]).glob("*.sql")):
            rel = p.relative_to(db_dir).as_posix()
            k, name, sql = parse(rel, db_dir)
            if (k, name) != (kind, p.stem):
                raise DeployError(f"db/{rel} creates {k} {name}: a file is named after its "
                                  f"object and lies in db/{DIRS[k]}/")
            digest = file_hash(rel, db_dir)
            head = header(rel, db_dir)
            if kind in ("PROCEDURE", "FUNCTION"):
                comment = f"{head}\n(db/{rel} sha256 {digest})"
                if len(comment.encode()) > COMMENT_MAX:
                    raise DeployError(f"db/{rel}: header over {COMMENT_MAX} bytes")
                sql = with_comment(kind, sql, comment)
            out.append(Routine(kind, name, rel, digest, head, sql))
    return out


def _strip_comments(sql):
    return re.sub(r"--[^\n]*", "", sql)


def creation_order(routines):
    """Functions, procedures, views (each after the views it reads), triggers."""
    by_kind = {k: sorted((r for r in routines if r.kind == k), key=lambda r: r.name)
               for k in KINDS}
    views = {r.name: r for r in by_kind["VIEW"]}
    graph = graphlib.TopologicalSorter()
    for r in by_kind["VIEW"]:
        words = set(re.findall(r"\w+", _strip_comments(r.sql)))
        graph.add(r.name, *sorted(n for n in views if n != r.name and n in words))
    ordered_views = [views[n] for n in graph.static_order()]
    return by_kind["FUNCTION"] + by_kind["PROCEDURE"] + ordered_views + by_kind["TRIGGER"]


# -- what the server has --------------------------------------------------------------------

def _rows(cur, sql, args=()):
    cur.execute(sql, args)
    return cur.fetchall()


def server_definitions(cur, only=None):
    """(kind, name) -> the definition of every procedure, function, view and trigger of the
    current schema, as the server reports it in information_schema (a dict of strings).
    `only`: a (kind, name) to read just that one."""
    defs = {}
    kind, name = only or (None, None)
    schema = _rows(cur, "SELECT DATABASE()")[0][0]
    if kind in (None, "PROCEDURE", "FUNCTION"):
        params = {}
        for rtype, rname, mode, pname, dtd in _rows(cur, (
                "SELECT ROUTINE_TYPE, SPECIFIC_NAME, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER "
                "FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = DATABASE() "
                + ("AND SPECIFIC_NAME = %s " if name else "") +
                "ORDER BY SPECIFIC_NAME, ORDINAL_POSITION"), (name,) if name else ()):
            params.setdefault((rtype, rname), []).append(f"{mode or 'RETURNS'} {pname or ''} {dtd}")
        for row in _rows(cur, (
                "SELECT ROUTINE_TYPE, ROUTINE_NAME, DTD_IDENTIFIER, ROUTINE_DEFINITION, "
                "IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, SQL_MODE, ROUTINE_COMMENT, "
                "DEFINER, COLLATION_CONNECTION, DATABASE_COLLATION "
                "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"
                + (" AND ROUTINE_NAME = %s AND ROUTINE_TYPE = %s" if name else "")),
                (name, kind) if name else ()):
            rtype, rname = row[0], row[1]
            defs[(rtype, rname)] = dict(zip(
                ("returns", "body", "deterministic", "data_access", "security", "sql_mode",
                 "comment", "definer", "collation_connection", "database_collation"), row[2:]),
                params=params.get((rtype, rname), []))
    if kind in (None, "VIEW"):
        for row in _rows(cur, (
                "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, DEFINER, "
                "COLLATION_CONNECTION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
                + (" AND TABLE_NAME = %s" if name else "")), (name,) if name else ()):
            defs[("VIEW", row[0])] = dict(zip(("body", "check_option", "security", "definer",
                                               "collation_connection"), row[1:]))
    if kind in (None, "TRIGGER"):
        for row in _rows(cur, (
                "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, "
                "ACTION_STATEMENT, SQL_MODE, DEFINER, COLLATION_CONNECTION, DATABASE_COLLATION "
                "FROM information_schema.TRIGGERS "
                "WHERE TRIGGER_SCHEMA = DATABASE()"
                + (" AND TRIGGER_NAME = %s" if name else "")), (name,) if name else ()):
            defs[("TRIGGER", row[0])] = dict(zip(
                ("table", "timing", "event", "body", "sql_mode", "definer",
                 "collation_connection", "database_collation"), row[1:]))
    # a view's definition names the schema (`billing`.`payment`): the same view in another
    # schema (a restored copy, a test database) is the same definition
    qualifier = f"`{schema}`."
    for d in defs.values():
        if isinstance(d.get("body"), str):
            d["body"] = d["body"].replace(qualifier, "")
    return defs


def _without_comments(body):
    """A body without its comments and with whitespace collapsed: the mysql/mariadb client
    drops comments from what it sends unless given --comments (so a restored dump's routines
    have none), and they change nothing the routine does."""
    body = re.sub(r"/\*(?!!).*?\*/", " ", body, flags=re.S)
    body = re.sub(r"--(?:[ \t][^\n]*)?(?=\n|$)", " ", body)
    return " ".join(body.split())


def fingerprint(definition):
    """SHA-256 of a definition from server_definitions(), comments left out of the body."""
    d = dict(definition)
    if isinstance(d.get("body"), str):
        d["body"] = _without_comments(d["body"])
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()


def recorded(cur):
    """(kind, name) -> (sha256 of the file, definition_sha256) as last deployed ({} before
    migration 9000 made the table)."""
    try:
        rows = _rows(cur, f"SELECT kind, name, sha256, definition_sha256 FROM `{TABLE}`")
    except Exception as e:
        if getattr(e, "args", None) and e.args[0] == 1146:
            return {}
        raise
    return {(k, n): (s, d) for k, n, s, d in rows}


# -- comparing ------------------------------------------------------------------------------

def differences(cur, routines=None, server=None):
    """[(kind, name, what)]: every object that is not what its file says, or has no file.
    what: 'missing', 'not deployed at the file's hash', 'changed on the server', 'no file'."""
    routines = load() if routines is None else routines
    server = server_definitions(cur) if server is None else server
    records = recorded(cur)
    collation = _rows(cur, "SELECT @@collation_database")[0][0]
    out = []
    for r in creation_order(routines):
        rec = records.get(r.key)
        if r.key not in server:
            out.append((r.kind, r.name, "missing"))
        elif rec is None or rec[0] != r.sha256:
            out.append((r.kind, r.name, f"not deployed at the hash of db/{r.path}"))
        elif rec[1] != fingerprint(server[r.key]):
            out.append((r.kind, r.name, "changed on the server since it was deployed"))
        elif server[r.key].get("database_collation") not in (None, collation):
            # parameters and locals took the database's default collation when created
            out.append((r.kind, r.name, f"created under the database collation "
                                        f"{server[r.key]['database_collation']}, now {collation}"))
    files = {r.key for r in routines}
    for kind, name in sorted(server, key=lambda k: (KINDS.index(k[0]), k[1])):
        if (kind, name) not in files:
            out.append((kind, name, "no file"))
    return out


# -- deploying ------------------------------------------------------------------------------

def _execute_create(cur, sql):
    try:
        cur.execute(sql)
    except Exception as e:   # pymysql or MySQLdb
        if getattr(e, "args", None) and e.args[0] in (1418, 1419):
            raise DeployError(BINLOG_MESSAGE) from e
        raise


def _routine_grants(cur, kind, name):
    """GRANT statements that give back the privileges others hold on a procedure or function
    (DROP removes them: automatic_sp_privileges), or None when mysql.procs_priv is not
    readable by this account."""
    try:
        rows = _rows(cur, "SELECT User, Host, Proc_priv FROM mysql.procs_priv "
                          "WHERE Db = DATABASE() AND Routine_name = %s AND Routine_type = %s",
                     (name, kind))
    except Exception as e:
        if getattr(e, "args", None) and e.args[0] in (1142, 1044):
            return None
        raise
    grants = []
    for user, host, privs in rows:
        privs = set(privs.split(",")) if isinstance(privs, str) else set(privs)
        names = [p.upper() for p in ("Execute", "Alter Routine") if p in privs]
        if names:
            user = user.replace("'", "''")
            host = host.replace("'", "''")
            grants.append(f"GRANT {', '.join(names)} ON {kind} `{name}` TO '{user}'@'{host}'"
                          + (" WITH GRANT OPTION" if "Grant" in privs else ""))
    return grants


def deploy(conn, routines=None, log=print):
    """Makes the schema's routines, views and triggers what the files say. Returns the list of
    (action, kind, name) done: action 'create' or 'drop'."""
    routines = load() if routines is None else routines
    cur = conn.cursor()
    cur.execute("SELECT @@SESSION.sql_mode")
    old_mode = cur.fetchone()[0]
    done = []
    try:
        cur.execute(f"SET SESSION sql_mode = '{SQL_MODE}'")
        server = server_definitions(cur)
        stale = {(k, n): what for k, n, what in differences(cur, routines, server)}
        files = {r.key for r in routines}
        # objects without a file go first, dependants first
        for kind in reversed(KINDS):
            for (k, name), what in sorted(stale.items()):
                if k == kind and (k, name) not in files:
                    cur.execute(f"DROP {kind} IF EXISTS `{name}`")
                    cur.execute(f"DELETE FROM `{TABLE}` WHERE kind = %s AND name = %s", (kind, name))
                    conn.commit()
                    done.append(("drop", kind, name))
                    log(f"dropped {kind} {name} ({what})")
        for key in set(recorded(cur)) - files:      # records of objects dropped by hand
            cur.execute(f"DELETE FROM `{TABLE}` WHERE kind = %s AND name = %s", key)
        conn.commit()
        for r in creation_order(routines):
            if r.key not in stale:
                continue
            grants = (_routine_grants(cur, r.kind, r.name)
                      if r.kind in ("PROCEDURE", "FUNCTION") and r.key in server else [])
            cur.execute(f"DROP {r.kind} IF EXISTS `{r.name}`")
            _execute_create(cur, r.sql)
            if grants is None:
                log(f"note: cannot read mysql.procs_priv: grants on {r.kind} {r.name} are gone "
                    "until bin/db-accounts runs again")
            for g in grants or ():
                try:
                    cur.execute(g)
                except Exception as e:
                    log(f"note: {g} failed ({e}): run bin/db-accounts again")
            definition = server_definitions(cur, only=r.key)[r.key]
            cur.execute(
                f"REPLACE INTO `{TABLE}` (kind, name, path, sha256, definition_sha256, deployed_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (r.kind, r.name, f"db/{r.path}", r.sha256, fingerprint(definition),
                 datetime.now(timezone.utc).replace(tzinfo=None)))
            conn.commit()
            done.append(("create", r.kind, r.name))
            log(f"created {r.kind} {r.name} ({stale[r.key]})")
    finally:
        cur.execute("SET SESSION sql_mode = %s", (old_mode,))
        cur.close()
    return done


def verify(conn, routines=None):
    cur = conn.cursor()
    try:
        return differences(cur, routines)
    finally:
        cur.close()


def connect(url):
    """A DB-API connection (yoyo's driver) to the database of a yoyo URL."""
    from yoyo import get_backend
    return get_backend(url).connection


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("apply", "verify"):
        sys.exit("usage: python db/deploy.py apply|verify DATABASE_URL")
    conn = connect(argv[1])
    try:
        if argv[0] == "apply":
            try:
                done = deploy(conn)
            except DeployError as e:
                sys.exit(str(e))
            print(f"{len(done)} change(s)")
            return 0
        diffs = verify(conn)
        for kind, name, what in diffs:
            print(f"{kind} {name}: {what}")
        if not diffs:
            print("every routine, view and trigger is what its file says")
        return 1 if diffs else 0
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())

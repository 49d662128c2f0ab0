"""Static checks: the project's SQL is written for MySQL 8.4 and MariaDB 10.11 alike.

No server needed. They scan every SQL file (db/**.sql, migrations/*.sql) and every SQL string in
the Python code (bench, bin, db, migrations, tests, webapp) for:
- a reserved word of MySQL 8.4 or MariaDB 10.11 used as a bare identifier (keywords.py);
- a construct only one of the servers has (sqlscan.ONE_SERVER_ONLY; docs/routines.md lists them);
- a SIGNAL message that can be longer than MySQL's 128 characters (messages.py);
- a statement that opens one TEMPORARY table twice (MySQL's "Can't reopen table").
Each checker is first shown to catch a known bad sample, so a passing scan is not a blind one.
"""
from static import keywords, messages, sqlscan


def test_keyword_lists_are_the_manuals():
    assert "LAST_VALUE" in keywords.MYSQL_84_RESERVED and "LAST_VALUE" not in keywords.MARIADB_RESERVED
    assert {"QUALIFY", "TABLESAMPLE", "MANUAL", "PARALLEL"} <= keywords.MYSQL_84_RESERVED
    assert {"RETURNING", "OFFSET", "CURRENT_ROLE"} <= keywords.MARIADB_RESERVED
    assert len(keywords.MYSQL_84_RESERVED) > 250 and len(keywords.MARIADB_RESERVED) > 230


def test_the_identifier_scanner_catches_reserved_words():
    sample = """
        CREATE TABLE number_counter (counter_name VARCHAR(20), last_value INT, `rank` INT);
        ALTER TABLE t ADD COLUMN window INT, RENAME COLUMN a TO lead;
        CREATE PROCEDURE p(IN groups INT) BEGIN DECLARE returning INT; END;
        SELECT x AS qualify, CAST(y AS DECIMAL(12,2)) AS ok FROM t;
        INSERT INTO t (a, offset) VALUES (1, 2);
        SELECT last_value FROM number_counter"""
    found = {name.lower() for _, name in sqlscan.reserved_identifiers(sample, keywords.RESERVED)}
    assert found == {"last_value", "window", "lead", "groups", "returning", "qualify", "offset"}


def test_no_reserved_word_is_a_bare_identifier():
    bad = [f"{where}: {kind} {name}"
           for where, sql in sqlscan.sql_sources()
           for kind, name in sqlscan.reserved_identifiers(sql, keywords.RESERVED)]
    assert not bad, "reserved words as bare identifiers (rename, or quote with backquotes):\n" + \
        "\n".join(bad)


def test_the_construct_scanner_catches_one_server_syntax():
    samples = {
        "SELECT doc->>'$.a' FROM t": "->",
        "SELECT LAG(x, 1, 0) OVER w FROM t": "LAG",
        "CREATE OR REPLACE PROCEDURE p() BEGIN END": "CREATE OR REPLACE",
        "DELETE FROM t WHERE a = 1 RETURNING a": "RETURNING",
        "SELECT NEXTVAL(s)": "sequences",
        "SELECT @n := @n + 1 FROM t": ":=",
        "INSERT INTO c (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = VALUES(b)": "VALUES(col)",
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT": "IF [NOT] EXISTS",
        "SELECT * FROM t WHERE REGEXP_LIKE(a, 'x')": "REGEXP_LIKE",
        "CREATE TABLE t (a INT) COLLATE utf8mb4_0900_ai_ci": "0900",
        "IF JSON_VALID(x) = 0 OR JSON_TYPE(x) <> 'ARRAY' THEN": "JSON_VALID",
    }
    for sql, what in samples.items():
        assert any(what in f for f in sqlscan.one_server_constructs(sql)), sql
    ok = ["SET @n := 1", "SELECT LAG(x) OVER w, LAG(x, 2) OVER w FROM t",
          "CREATE OR REPLACE VIEW v AS SELECT 1",
          "INSERT INTO c (a, b) SELECT s.a, s.b FROM s ON DUPLICATE KEY UPDATE b = s.b",
          "SELECT '->>' AS arrow -- RETURNING in a comment"]
    for sql in ok:
        assert sqlscan.one_server_constructs(sql) == [], sql


def test_no_construct_only_one_server_has():
    bad = [f"{where}: {what}" for where, sql in sqlscan.sql_sources()
           for what in sqlscan.one_server_constructs(sql)]
    assert not bad, "syntax only one server has (docs/routines.md):\n" + "\n".join(bad)


def test_the_temporary_table_scanner_catches_a_second_reference():
    names = {"fold_keys", "work"}
    bad = ["INSERT INTO work SELECT k.a FROM work k",
           "INSERT INTO work SELECT x.a FROM (SELECT DISTINCT a FROM work) x JOIN t ON t.a = x.a",
           "SELECT * FROM work w1 JOIN work w2 ON w1.a = w2.a",
           "DELETE FROM t WHERE a IN (SELECT a FROM WORK) AND b IN (SELECT b FROM work)"]
    for sql in bad:
        assert sqlscan.temporary_table_reopened(sql, names) == ["work"], sql
    ok = ["CREATE TEMPORARY TABLE work (a INT); DROP TEMPORARY TABLE IF EXISTS work",
          "INSERT INTO work SELECT a FROM fold_keys; DELETE FROM work",
          "UPDATE work w JOIN t ON t.a = w.a SET w.b = t.b -- work twice in a comment: work",
          "SELECT work.a FROM work", "SELECT 'work', a FROM work"]
    for sql in ok:
        assert sqlscan.temporary_table_reopened(sql, names) == [], sql


def test_no_statement_opens_a_temporary_table_twice():
    sources = list(sqlscan.sql_sources())
    names = sqlscan.temporary_tables(sources)
    assert {"bc_acct", "bc_line", "fold_revenue"} <= names
    bad = [f"{where}: {name}" for where, sql in sources
           for name in sqlscan.temporary_table_reopened(sql, names)]
    assert not bad, ("a statement refers to a TEMPORARY table twice (MySQL 8.4: \"Can't reopen "
                     "table\"; copy it into a second temporary table):\n" + "\n".join(bad))


def test_the_message_scanner_computes_worst_cases():
    decl = {"p_code": "VARCHAR(40)", "p_id": "INT UNSIGNED", "p_on": "DATE", "v_amount": "DECIMAL(12,2)",
            "v_text": "LONGTEXT"}
    f = {}
    assert messages.longest("CONCAT('no tariff with code ', LEFT(TRIM(p_code), 20))", decl, f) == 40
    assert messages.longest("CONCAT('account ', p_id, ' on ', p_on, ': ', v_amount)", decl, f) == 48
    assert messages.longest("CONCAT('a, (b) ', COALESCE(p_code, 'NULL'))", decl, f) == 47
    assert messages.longest("LEFT(v_text, 50)", decl, f) == 50
    try:
        messages.longest("CONCAT('x ', v_text)", decl, f)
    except messages.Unbounded:
        pass
    else:
        raise AssertionError("a LONGTEXT argument must count as unbounded")


def test_every_signal_message_fits_in_128_characters():
    assert sum(1 for _ in messages.messages()) > 100
    bad = [f"{where}: {n}: {msg}" for where, n, msg in messages.too_long()]
    assert not bad, ("SIGNAL messages that can exceed MySQL's 128 characters (shorten, or wrap "
                     "an argument in LEFT(x, n)):\n" + "\n".join(bad))


def test_the_scan_reaches_every_place_sql_lives():
    places = {where.split("/")[0] for where, _ in sqlscan.sql_sources()}
    assert {"db", "migrations", "bench", "bin", "tests", "webapp"} <= places, places

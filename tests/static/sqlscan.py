"""The project's SQL, gathered for the static checks, and small scanners over it.

sql_sources() yields (where, sql) for every SQL file (db/**/*.sql, migrations/*.sql) and every
SQL string in the Python code (bench/, bin/, db/, migrations/, tests/, webapp/): string literals
(implicit concatenation joined, f-string holes filled with a placeholder) that look like SQL.
clean() blanks comments, quoted strings and backquoted names, so that what is left is the SQL
syntax and the bare identifiers.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY_DIRS = ("bench", "bin", "db", "migrations", "tests", "webapp")
SKIP = {Path(__file__).resolve().parent}          # this package: its own samples and word lists
_LOOKS_SQL = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT\s+(IGNORE\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+"
    r"(TABLE|PROCEDURE|FUNCTION|VIEW|TRIGGER|DATABASE|TEMPORARY)|ALTER\s+(TABLE|DATABASE)|CALL\s+\w+|"
    r"DECLARE\s+\w+|ON\s+DUPLICATE\s+KEY)", re.S)
HOLE = "hole0"                                  # stands for an f-string's {expression}


def sql_files():
    return sorted([*(ROOT / "db").rglob("*.sql"), *(ROOT / "migrations").glob("*.sql")])


def python_files():
    for d in PY_DIRS:
        for p in sorted((ROOT / d).rglob("*")):
            if not p.is_file() or any(s in p.parents for s in SKIP) or ".venv" in p.parts:
                continue
            if p.suffix == ".py" or (d == "bin" and p.suffix == "" and
                                     p.read_bytes()[:40].startswith(b"#!") and
                                     b"python" in p.read_bytes()[:40]):
                yield p


def _string_value(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else HOLE for v in node.values)
    return None


def python_sql_strings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in inner:
            continue
        s = _string_value(node)
        if s and _LOOKS_SQL.search(s):
            yield node.lineno, s


def sql_sources():
    for p in sql_files():
        yield str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")
    for p in python_files():
        for line, s in python_sql_strings(p):
            yield f"{p.relative_to(ROOT)}:{line}", s


_TOKENS = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`[^`]*`",
                     re.S)


def clean(sql):
    """The SQL with comments removed, strings as '' and backquoted names as `q`."""
    def repl(m):
        t = m.group(0)
        if t[0] in "-#/":
            return " "
        if t[0] == "`":
            return "`q`"
        return "''"
    return _TOKENS.sub(repl, sql)


def _scan(s):
    """(index, char, depth) of s's characters outside quoted strings and backquoted names."""
    depth, quote, i = 0, None, 0
    while i < len(s):
        ch = s[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                if s[i + 1:i + 2] == quote:
                    i += 2
                    continue
                quote = None
            i += 1
            continue
        if ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def split_top(s, sep=","):
    """Splits s at top-level separators (not inside parentheses or quotes)."""
    parts, start = [], 0
    for i, ch, depth in _scan(s):
        if ch == sep and depth == 0:
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    return parts


def paren_body(s, open_at):
    """The text inside the parenthesis that opens at s[open_at] (quotes respected)."""
    for i, ch, depth in _scan(s[open_at:]):
        if ch == ")" and depth == 0:
            return s[open_at + 1:open_at + i]
    return s[open_at + 1:]


# --- identifiers ---------------------------------------------------------------------------
_WORD = r"[A-Za-z_][A-Za-z0-9_$]*"
_TYPES_AFTER_AS = {"SELECT", "WITH", "VALUES", "TABLE", "BINARY", "CHAR", "CHARACTER", "DECIMAL",
                   "DEC", "DOUBLE", "FLOAT", "INT", "INTEGER", "NUMERIC", "REAL", "UNSIGNED",
                   "VARCHAR", "BIGINT", "SMALLINT", "TINYINT", "NOT"}
_TABLE_ITEM_KEYWORDS = {"PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT",
                        "CHECK", "SPATIAL", "PERIOD"}
_DECLARE_NOT_NAMES = {"CONTINUE", "EXIT", "UNDO"}
# window and table functions that MySQL reserves: a bare one (not called) is an identifier
FUNCTION_WORDS = {"CUME_DIST", "DENSE_RANK", "FIRST_VALUE", "LAG", "LAST_VALUE", "LEAD",
                  "NTH_VALUE", "NTILE", "PERCENT_RANK", "RANK", "ROW_NUMBER", "JSON_TABLE",
                  "GROUPING"}


def identifiers(sql):
    """(kind, name) of the bare identifiers defined or named in `sql` (already clean()ed):
    CREATE TABLE names and column definitions, ALTER TABLE ADD/CHANGE/RENAME COLUMN names,
    routine parameters, DECLARE names, `AS alias`, INSERT column lists, JSON_TABLE columns, and
    any bare mention of a reserved window-function name (not followed by a parenthesis)."""
    out = []
    for m in re.finditer(rf"\bCREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                         rf"(?:{_WORD}\.)?({_WORD})\s*\(", sql, re.I):
        out.append(("table", m.group(1)))
        for item in split_top(paren_body(sql, m.end() - 1)):
            w = re.match(rf"\s*({_WORD})", item)
            if w and w.group(1).upper() not in _TABLE_ITEM_KEYWORDS:
                out.append(("column", w.group(1)))
    for m in re.finditer(rf"\bALTER\s+TABLE\s+(?:{_WORD}\.)?(?:{_WORD}|`q`)([^;]*)", sql, re.I):
        for item in split_top(m.group(1)):
            w = re.match(rf"\s*(?:ADD|MODIFY)\s+(?:COLUMN\s+)?({_WORD})\s+\w", item, re.I)
            if w and w.group(1).upper() not in _TABLE_ITEM_KEYWORDS | {"COLUMN", "IF"}:
                out.append(("column", w.group(1)))
    for m in re.finditer(rf"\bCHANGE\s+(?:COLUMN\s+)?{_WORD}\s+({_WORD})", sql, re.I):
        out.append(("column", m.group(1)))
    for m in re.finditer(rf"\bRENAME\s+COLUMN\s+{_WORD}\s+TO\s+({_WORD})", sql, re.I):
        out.append(("column", m.group(1)))
    for m in re.finditer(rf"\bCREATE\s+(?:PROCEDURE|FUNCTION)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                         rf"(?:{_WORD}\.)?{_WORD}\s*\(", sql, re.I):
        for item in split_top(paren_body(sql, m.end() - 1)):
            w = re.match(rf"\s*(?:(?:IN|OUT|INOUT)\s+)?({_WORD})\s+\w", item, re.I)
            if w:
                out.append(("parameter", w.group(1)))
    for m in re.finditer(rf"\bDECLARE\s+({_WORD}(?:\s*,\s*{_WORD})*)", sql, re.I):
        names = [n.strip() for n in m.group(1).split(",")]
        if names[0].upper() not in _DECLARE_NOT_NAMES:
            out.extend(("variable", n) for n in names)
    for m in re.finditer(rf"\bAS\s+({_WORD})\b(?!\s*\()", sql, re.I):
        if m.group(1).upper() not in _TYPES_AFTER_AS:
            out.append(("alias", m.group(1)))
    for m in re.finditer(rf"\b(?:INSERT|REPLACE)\s+(?:IGNORE\s+)?INTO\s+(?:{_WORD}\.)?(?:{_WORD}|`q`)"
                         rf"\s*\(", sql, re.I):
        for item in split_top(paren_body(sql, m.end() - 1)):
            w = re.fullmatch(rf"\s*({_WORD})\s*", item)
            if w:
                out.append(("insert column", w.group(1)))
    for m in re.finditer(r"\bCOLUMNS\s*\(", sql, re.I):
        for item in split_top(paren_body(sql, m.end() - 1)):
            w = re.match(rf"\s*({_WORD})\s+\w", item)
            if w and w.group(1).upper() != "NESTED":
                out.append(("json_table column", w.group(1)))
    for m in re.finditer(rf"(?<![.\w])({'|'.join(sorted(FUNCTION_WORDS))})\b(?!\s*\()", sql, re.I):
        out.append(("bare word", m.group(1)))
    return out


def reserved_identifiers(sql, reserved):
    return sorted({(k, n) for k, n in identifiers(clean(sql)) if n.upper() in reserved})


# --- constructs only one of the servers has ----------------------------------------------------
# (pattern over clean()ed SQL, which server lacks it, why); docs/routines.md lists the same.
ONE_SERVER_ONLY = [
    (r"->>?", "MariaDB", "JSON path operators -> and ->> (use JSON_UNQUOTE(JSON_EXTRACT(...)))"),
    (r"\b(?:LAG|LEAD)\s*\((?:[^()]|\([^()]*\))*,(?:[^()]|\([^()]*\))*,",
     "MariaDB", "LAG/LEAD with a default (3rd argument)"),
    (r"\bREGEXP_LIKE\s*\(", "MariaDB", "REGEXP_LIKE() (use the REGEXP operator)"),
    (r"\bCREATE\s+OR\s+REPLACE\s+(?:DEFINER\s*=\s*\S+\s+)?(?:PROCEDURE|FUNCTION|TRIGGER|TABLE|"
     r"DATABASE|SEQUENCE|INDEX|USER|ROLE|EVENT)\b",
     "MySQL", "CREATE OR REPLACE other than a VIEW (DROP ... IF EXISTS, then CREATE)"),
    (r"\bRETURNING\b", "MySQL", "INSERT/DELETE/REPLACE ... RETURNING"),
    (r"\b(?:CREATE|ALTER|DROP)\s+SEQUENCE\b|\bNEXT\s+VALUE\s+FOR\b|\b(?:NEXTVAL|LASTVAL|SETVAL)\s*\(",
     "MySQL", "sequences"),
    (r"(?<!\bSET)\s@\w+\s*:=", "MySQL 8.4 (deprecated)",
     "assigning a user variable inside an expression (:= outside SET)"),
    (r"\bFETCH\s+(?:FIRST|NEXT)\b", "MySQL", "OFFSET ... FETCH FIRST/NEXT (use LIMIT)"),
    (r"\bROWS\s+EXAMINED\b", "MySQL", "LIMIT ROWS EXAMINED"),
    (r"\b(?:ADD|DROP|MODIFY|CHANGE)\s+(?:COLUMN\s+)?IF\s+(?:NOT\s+)?EXISTS\b|"
     r"\bCREATE\s+(?:UNIQUE\s+|FULLTEXT\s+)?INDEX\s+IF\s+NOT\s+EXISTS\b",
     "MySQL", "IF [NOT] EXISTS on columns and indexes"),
    (r"\bTYPE\s+OF\b", "MySQL", "DECLARE ... TYPE OF / ROW TYPE OF"),
    (r"\bmax_recursive_iterations\b", "MySQL", "max_recursive_iterations (MySQL: cte_max_recursion_depth)"),
    (r"\bcte_max_recursion_depth\b", "MariaDB", "cte_max_recursion_depth (MariaDB: max_recursive_iterations)"),
    (r"_0900_|\butf8mb4_0900\w*", "MariaDB 10.11", "the utf8mb4_0900_* collations"),
    (r"\buca1400\b|_uca1400_", "MySQL", "the uca1400 collations"),
    (r"\bON\s+DUPLICATE\s+KEY\s+UPDATE\b(?:(?!;).)*?\bVALUES\s*\(", "MySQL 8.4 (deprecated)",
     "VALUES(col) in ON DUPLICATE KEY UPDATE"),
    (r"\bCONVERT\s*\([^()]*\bUSING\s+utf8\b(?!mb)|\butf8_\w+_ci\b|\bCHARSET\s*=?\s*utf8\b(?!mb)",
     "MySQL 8.4 (deprecated)", "utf8 meaning utf8mb3 (say utf8mb4)"),
    (r"\bJSON_VALID\s*\([^()]*\)\s*=\s*0\s+OR\s+JSON_(?:TYPE|LENGTH|EXTRACT)\s*\(",
     "MySQL (an error on invalid JSON)",
     "JSON_TYPE/LENGTH/EXTRACT in the same OR as its JSON_VALID check (no short-circuit promised)"),
]


def one_server_constructs(sql):
    c = clean(sql)
    out = []
    for pattern, lacking, what in ONE_SERVER_ONLY:
        if re.search(pattern, c, re.I | re.S):
            out.append(f"{what} (not on {lacking})")
    return out


_TEMP_CREATE = re.compile(r"\bCREATE\s+TEMPORARY\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)
_TEMP_DDL = re.compile(r"^\s*(CREATE|DROP)\s+TEMPORARY\s+TABLE\b", re.I)


def temporary_tables(sources):
    """The names of the temporary tables the given (where, sql) sources create."""
    return {m.group(1).lower() for _, sql in sources for m in _TEMP_CREATE.finditer(clean(sql))}


def temporary_table_reopened(sql, names):
    """The temporary tables of `names` that one statement of `sql` refers to more than once.
    MySQL 8.4 cannot open a TEMPORARY table twice in one statement ("Can't reopen table", an
    INSERT INTO tmp ... SELECT ... FROM tmp included); MariaDB can since 10.2, so only a scan
    finds it here. A name followed by a dot (a qualified column) is not a reference."""
    found = []
    for stmt in clean(sql).split(";"):
        if _TEMP_DDL.match(stmt):
            continue
        for name in names:
            refs = re.findall(rf"(?<![\w.]){re.escape(name)}\b(?!\s*\.)", stmt, re.I)
            if len(refs) > 1:
                found.append(name)
    return sorted(set(found))

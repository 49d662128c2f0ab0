"""Worst-case length of every SIGNAL message of the routines, computed from the source.

MySQL caps MESSAGE_TEXT at 128 characters (MariaDB at 512). For every `CALL _fail(errno, msg)` and
every `SIGNAL ... MESSAGE_TEXT = msg` under db/, longest(msg) is the longest text msg can be:
a literal counts its characters, a parameter or local its declared type's longest text
(VARCHAR(n): n; INT UNSIGNED: 10; DECIMAL(p,s): p+2; DATE: 10; ...), CONCAT the sum of its
arguments, LEFT(x, n) at most n, COALESCE/IF/IFNULL the longest branch, a call of one of the
project's functions its RETURNS type. Anything else (TEXT, JSON, a subquery, an expression the
scanner does not know) is unbounded: wrap it in LEFT(x, n).
"""
import re

from static.sqlscan import ROOT, _WORD, clean, paren_body, split_top

LIMIT = 128
_INT_LEN = {"TINYINT": 4, "SMALLINT": 6, "MEDIUMINT": 8, "INT": 11, "INTEGER": 11, "BIGINT": 20}
_UINT_LEN = {"TINYINT": 3, "SMALLINT": 5, "MEDIUMINT": 8, "INT": 10, "INTEGER": 10, "BIGINT": 20}
DOUBLE_LEN = 23                     # -1.7976931348623157e308


def type_len(t):
    """Longest text of a value of SQL type t (None: unbounded or unknown)."""
    t = " ".join(t.upper().split())
    m = re.match(r"(?:VAR)?CHAR\s*\((\d+)\)", t)
    if m:
        return int(m.group(1))
    m = re.match(r"(TINYINT|SMALLINT|MEDIUMINT|INTEGER|INT|BIGINT)\b(?:\s*\(\d+\))?(\s+UNSIGNED)?", t)
    if m:
        return (_UINT_LEN if m.group(2) else _INT_LEN)[m.group(1)]
    m = re.match(r"(?:DECIMAL|NUMERIC|DEC)\s*\((\d+)\s*(?:,\s*(\d+))?\)(\s+UNSIGNED)?", t)
    if m:
        p, s = int(m.group(1)), int(m.group(2) or 0)
        return p + (1 if s else 0) + (0 if m.group(3) else 1)
    if re.match(r"(BOOL|BOOLEAN)\b", t):
        return 4
    if re.match(r"DATETIME\s*\((\d)\)", t):
        return 20 + int(re.match(r"DATETIME\s*\((\d)\)", t).group(1))
    if t.startswith(("DATETIME", "TIMESTAMP")):
        return 19
    if t.startswith("DATE"):
        return 10
    if t.startswith("TIME"):
        return 10
    if t.startswith("YEAR"):
        return 4
    if t.startswith(("DOUBLE", "FLOAT", "REAL")):
        return DOUBLE_LEN
    m = re.match(r"ENUM\s*\((.*)\)", t)
    if m:
        return max(len(v) for v in re.findall(r"'((?:[^']|'')*)'", m.group(1)))
    return None


def declarations(sql):
    """name (lower case) -> type text, for the parameters and locals of one routine."""
    c = clean(sql)
    decl = {}
    m = re.search(rf"\bCREATE\s+(?:PROCEDURE|FUNCTION)\s+(?:IF\s+NOT\s+EXISTS\s+)?`?{_WORD}`?\s*\(", c, re.I)
    if m:
        raw = paren_body(sql_without_comments(sql), sql_without_comments(sql).index("(", m.start()))
        for item in split_top(raw):
            w = re.match(rf"\s*(?:(?:IN|OUT|INOUT)\s+)?({_WORD})\s+(.+)", item, re.I | re.S)
            if w:
                decl[w.group(1).lower()] = w.group(2)
    for m in re.finditer(rf"\bDECLARE\s+({_WORD}(?:\s*,\s*{_WORD})*)\s+([^;]+);", sql_without_comments(sql), re.I):
        names = [n.strip().lower() for n in m.group(1).split(",")]
        if names[0].upper() in ("CONTINUE", "EXIT", "UNDO") or re.match(r"\s*(CURSOR|CONDITION)\b", m.group(2), re.I):
            continue
        t = re.split(r"\s+DEFAULT\s+", m.group(2), flags=re.I)[0]
        for n in names:
            decl[n] = t
    return decl


def sql_without_comments(sql):
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)


def function_returns():
    out = {}
    for p in (ROOT / "db" / "functions").glob("*.sql"):
        s = sql_without_comments(p.read_text(encoding="utf-8"))
        m = re.search(rf"\bCREATE\s+FUNCTION\s+`?({_WORD})`?\s*\(", s, re.I)
        if m:
            rest = s[s.index("(", m.start()):]
            r = re.search(r"\bRETURNS\s+(.+?)(?:\s+(?:CHARSET|COLLATE|DETERMINISTIC|NOT|NO|READS|"
                          r"MODIFIES|CONTAINS|SQL|COMMENT|LANGUAGE|BEGIN|RETURN)\b|\n)", rest, re.I | re.S)
            if r:
                out[m.group(1).lower()] = r.group(1)
    return out


class Unbounded(Exception):
    pass


def _tokenize_call(expr):
    """(function name, [argument texts]) when expr is one call f(...), else None."""
    m = re.fullmatch(rf"\s*({_WORD})\s*\((.*)\)\s*", expr, re.S)
    if not m:
        return None
    body = paren_body(expr, expr.index("("))
    if len(body) != len(m.group(2)):
        return None                          # f(a) + g(b): not one call
    return m.group(1).upper(), split_top(body)


def longest(expr, decl, funcs):
    """Longest text of expression `expr` (raises Unbounded)."""
    e = expr.strip()
    while e.startswith("(") and paren_body(e, 0) == e[1:-1]:
        e = e[1:-1].strip()
    m = re.fullmatch(r"'((?:[^'\\]|\\.|'')*)'", e, re.S)
    if m:
        return len(m.group(1).replace("''", "'"))
    if re.fullmatch(r"-?\d+(\.\d+)?", e):
        return len(e)
    if e.upper() == "NULL":
        return 0
    if re.fullmatch(r"CURRENT_DATE(\(\))?|CURDATE\(\)|UTC_DATE(\(\))?", e, re.I):
        return 10
    if re.fullmatch(r"NOW\(\)|CURRENT_TIMESTAMP(\(\))?|SYSDATE\(\)", e, re.I):
        return 19
    if re.fullmatch(_WORD, e):
        t = decl.get(e.lower())
        n = type_len(t) if t else None
        if n is None:
            raise Unbounded(f"{e} ({t or 'not declared'})")
        return n
    call = _tokenize_call(e)
    if call:
        name, args = call
        if name == "CONCAT":
            return sum(longest(a, decl, funcs) for a in args)
        if name == "CONCAT_WS":
            parts = [longest(a, decl, funcs) for a in args]
            return sum(parts[1:]) + parts[0] * (len(parts) - 2)
        if name in ("LEFT", "RIGHT") and re.fullmatch(r"\s*\d+\s*", args[1]):
            try:
                return min(int(args[1]), longest(args[0], decl, funcs))
            except Unbounded:
                return int(args[1])
        if name in ("SUBSTRING", "SUBSTR") and len(args) == 3 and re.fullmatch(r"\s*\d+\s*", args[2]):
            return int(args[2])
        if name in ("TRIM", "LTRIM", "RTRIM", "UPPER", "LOWER", "UCASE", "LCASE", "QUOTE_NONE"):
            return longest(args[0], decl, funcs)
        if name in ("COALESCE", "IFNULL"):
            return max(longest(a, decl, funcs) for a in args)
        if name == "IF":
            return max(longest(a, decl, funcs) for a in args[1:])
        if name == "ROUND":
            return longest(args[0], decl, funcs) + 1
        if name in ("DATEDIFF", "TIMESTAMPDIFF", "CHAR_LENGTH", "LENGTH", "YEAR", "MONTH", "DAY"):
            return 11
        if name in ("POW", "POWER"):
            return DOUBLE_LEN
        if name in ("DATE_FORMAT",):
            raise Unbounded(e)
        if name in ("DATE", "LAST_DAY", "DATE_ADD", "DATE_SUB", "ADDDATE", "SUBDATE"):
            return 19
        if name.lower() in funcs:
            n = type_len(funcs[name.lower()])
            if n is None:
                raise Unbounded(e)
            return n
        raise Unbounded(e)
    m = re.fullmatch(r"CAST\s*\((.*)\s+AS\s+(.+)\)", e, re.I | re.S)
    if m:
        n = type_len(m.group(2))
        if n is None:
            raise Unbounded(e)
        return n
    # integer arithmetic of bounded parts (e.g. DATEDIFF(a, b) + 1): one more digit at most
    parts = split_top(re.sub(r"\s[+-]\s", "\x00", e), "\x00")
    if len(parts) > 1:
        return max(longest(p, decl, funcs) for p in parts) + 1
    raise Unbounded(e)


def messages():
    """(file, line, message expression) of every SIGNAL message under db/."""
    for p in sorted((ROOT / "db").rglob("*.sql")):
        sql = sql_without_comments(p.read_text(encoding="utf-8"))
        rel = str(p.relative_to(ROOT))
        for m in re.finditer(r"\bCALL\s+_fail\s*\(", sql, re.I):
            args = split_top(paren_body(sql, m.end() - 1))
            yield rel, sql.count("\n", 0, m.start()) + 1, ",".join(args[1:])
        for m in re.finditer(r"\bMESSAGE_TEXT\s*=\s*", sql, re.I):
            rest = sql[m.end():]
            end = re.search(r";|,\s*MYSQL_ERRNO", rest)
            yield rel, sql.count("\n", 0, m.start()) + 1, rest[:end.start() if end else None]


def too_long():
    """[(file:line, length or 'unbounded: why', message)] for every message that may exceed LIMIT."""
    funcs = function_returns()
    cache = {}
    out = []
    for rel, line, msg in messages():
        if rel not in cache:
            cache[rel] = declarations((ROOT / rel).read_text(encoding="utf-8"))
        if rel == "db/procedures/_fail.sql":
            continue                          # the cap itself: LEFT(p_message, 128)
        try:
            n = longest(msg, cache[rel], funcs)
        except Unbounded as e:
            out.append((f"{rel}:{line}", f"unbounded: {e}", " ".join(msg.split())))
            continue
        if n > LIMIT:
            out.append((f"{rel}:{line}", n, " ".join(msg.split())))
    return out

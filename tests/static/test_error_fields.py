"""Errors to forms: a 45002 INVALID_ARGUMENT message names the argument it is about first.

The web layer puts a refusal on the form field the message names (billing/errors.py,
BillingError.field and add_to_form: the first word of the message). So every
`CALL _fail(45002, msg)` under db/ starts with the name of one of its routine's parameters
without `p_` ("email is not a valid e-mail address: ..."), or with a word on ALLOWED (a
message about no one argument). The `_arg_*` conversion functions start with their p_name
argument: every call of one passes, as that name, its own first argument's name without p_.
docs/routines.md, "Errors to forms", states the convention. No server needed.
"""
import re

from static.messages import sql_without_comments
from static.sqlscan import ROOT, _WORD, paren_body, split_top

# first words of 45002 messages that name no single argument (keep this short; say why)
ALLOWED = {}

_FIRST = re.compile(r"'([a-z][a-z0-9_]*)\b")


def routine_params(s):
    """Parameter names (lower case) of the CREATE PROCEDURE/FUNCTION in s (without comments)."""
    m = re.search(rf"\bCREATE\s+(?:PROCEDURE|FUNCTION)\s+`?{_WORD}`?\s*\(", s, re.I)
    if not m:
        return set()
    out = set()
    for item in split_top(paren_body(s, s.index("(", m.start()))):
        w = re.match(rf"\s*(?:(?:IN|OUT|INOUT)\s+)?({_WORD})\s", item, re.I)
        if w:
            out.add(w.group(1).lower())
    return out


def routines():
    """{routine name: (path, sql without comments)} of every file under db/."""
    return {p.stem: (p, sql_without_comments(p.read_text(encoding="utf-8")))
            for p in sorted((ROOT / "db").rglob("*.sql"))}


def argument_names():
    """routine -> the argument names its messages may start with: its own parameters without
    p_, and, for a helper, those of every routine that calls it (_check_customer_fields checks
    create_customer's full_name as its p_name)."""
    all_ = routines()
    names = {n: {x[2:] for x in routine_params(sql) if x.startswith("p_")}
             for n, (_, sql) in all_.items()}
    out = {n: set(v) for n, v in names.items()}
    for caller, (_, sql) in all_.items():
        for callee in re.findall(rf"\bCALL\s+({_WORD})\s*\(", sql, re.I):
            if callee in out:
                out[callee] |= names[caller]
    return out


def invalid_argument_calls():
    """(file:line, routine, first argument of the message) of every CALL _fail(45002, ...)."""
    for name, (p, sql) in routines().items():
        for m in re.finditer(r"\bCALL\s+_fail\s*\(", sql, re.I):
            args = split_top(paren_body(sql, m.end() - 1))
            if args[0].strip() != "45002":
                continue
            msg = ",".join(args[1:]).strip()
            call = re.fullmatch(r"CONCAT\s*\((.*)\)", msg, re.I | re.S)
            parts = split_top(call.group(1)) if call else [msg]
            first = parts[0].strip()
            if first == "p_prefix" and len(parts) > 1:
                # a helper shared by callers whose arguments differ by a prefix ('' or 'new_',
                # _check_meter_fields): the name is prefix + the next part, and the next part
                # must name an argument (of the helper's callers) by itself
                first = parts[1].strip()
            where = f"{p.relative_to(ROOT)}:{sql.count(chr(10), 0, m.start()) + 1}"
            yield where, name, first


def bad_messages():
    names = argument_names()
    out = []
    for where, routine, first in invalid_argument_calls():
        if routine.startswith("_arg_") and first == "p_name":
            continue                                   # _arg_*: the caller names the argument
        word = _FIRST.match(first)
        if not word:
            out.append(f"{where}: does not start with a lower-case word: {first[:50]}")
        elif word.group(1) not in names[routine] and word.group(1) not in ALLOWED:
            out.append(f"{where}: '{word.group(1)}' is no argument of {routine} "
                       f"({', '.join(sorted(names[routine]))})")
    return out


def test_every_invalid_argument_message_starts_with_its_argument():
    assert bad_messages() == []


def test_every_arg_conversion_is_given_its_own_arguments_name():
    """_arg_x(p_amount, 'amount', ...): the name in the message is the argument's own (or an
    _arg_ function passes its p_name on, or a field of a JSON argument is named by its key)."""
    bad = []
    for name, (p, sql) in routines().items():
        for m in re.finditer(r"(?<!FUNCTION )\b(_arg_\w+)\s*\(", sql):
            args = [a.strip() for a in split_top(paren_body(sql, m.end() - 1))]
            # a field of a JSON argument (preview_readings' rows) is named by its key
            field = re.search(r"\]\.(\w+)'\)\)\)$", args[0])
            ok = (args[0].lower().startswith("p_") and args[1] == f"'{args[0][2:].lower()}'"
                  or name.startswith("_arg_") and args[1] == "p_name"
                  or field is not None and args[1] == f"'{field.group(1)}'")
            if not ok:
                line = sql.count("\n", 0, m.start()) + 1
                bad.append(f"{p.relative_to(ROOT)}:{line}: {m.group(1)}({args[0]}, {args[1]}, ...)")
    assert bad == []


def test_the_scan_sees_a_message_that_names_no_parameter(tmp_path, monkeypatch):
    import static.test_error_fields as mod
    d = tmp_path / "db" / "procedures"
    d.mkdir(parents=True)
    (d / "zz.sql").write_text(
        "-- zz\nCREATE PROCEDURE zz(IN p_email LONGTEXT, IN p_actor LONGTEXT)\n    SQL SECURITY INVOKER\n"
        "BEGIN\n    CALL _fail(45002, 'email is bad');\n"
        "    CALL _fail(45002, CONCAT('mail ', p_email, ' is bad'));\n"
        "    CALL _fail(45001, 'nothing here');\n    CALL _fail(45002, CONCAT(p_email, ' x'));\nEND\n")
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    assert [b.split(":")[1] for b in mod.bad_messages()] == ["6", "8"]

"""Static check: no test reads the clock when pytest imports it.

A date taken at import time (a module constant `TODAY = date.today()`, a default argument, a
parametrize list, a class attribute) is the day the run started: a run that crosses midnight then
bills with yesterday's dates while the server is on today. Tests read the real clock when they
run (helpers/real_clock.py). No server needed; the checker is first shown to catch a bad sample.
"""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
CLOCK_CALLS = {"today", "now", "utcnow", "localdate", "localtime"}


def import_time_clock_reads(source):
    """Line numbers of clock calls (date.today(), datetime.now(), timezone.localdate(), ...)
    that run when the module is imported: anywhere but inside a function body."""
    found = []

    def visit(node, at_import):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
                visit(default, at_import)
            for decorator in getattr(node, "decorator_list", []):
                visit(decorator, at_import)
            body = node.body if isinstance(node.body, list) else [node.body]
            for child in body:
                visit(child, False)
            return
        if (at_import and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, at_import)

    visit(ast.parse(source), True)
    return found


def test_the_checker_finds_import_time_clock_reads():
    sample = '''
import datetime as dt
import pytest
TODAY = dt.date.today()
class T:
    NOW = dt.datetime.now()
def f(day=dt.date.today()):
    return dt.date.today()                      # at run time: fine
@pytest.mark.parametrize("d", [dt.date.today()])
def test_x(d):
    g = lambda: dt.date.today()                 # at run time: fine
'''
    assert import_time_clock_reads(sample) == [4, 6, 7, 9]


def test_no_test_module_reads_the_clock_at_import():
    offenders = [f"{p.relative_to(TESTS)}:{line}"
                 for p in sorted(TESTS.rglob("*.py")) if "__pycache__" not in p.parts
                 for line in import_time_clock_reads(p.read_text())]
    assert offenders == []

"""The web layer's dependencies run one way: portal -> billing, never billing -> portal
(issue 18 §4: no import cycle, shared pieces live in billing)."""
import re
from pathlib import Path

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


def test_billing_never_imports_portal():
    offenders = [p.relative_to(WEBAPP).as_posix() for p in (WEBAPP / "billing").rglob("*.py")
                 if re.search(r"^\s*(from|import)\s+portal\b", p.read_text(), re.M)]
    assert offenders == []


def test_no_dead_guards_left():
    """The guard code issue 18 §4 lists is gone: an ImportError guard around an import that
    always exists, the empty StaffRequiredMixin alias, the unused runs.running_job."""
    text = {p.relative_to(WEBAPP).as_posix(): p.read_text() for p in WEBAPP.rglob("*.py")}
    assert not [n for n, t in text.items() if "except ImportError" in t]
    assert not [n for n, t in text.items() if "StaffRequiredMixin" in t]
    assert "def running_job" not in text["billing/runs.py"]

"""The content security policy (script-src 'self') blocks inline event handlers, so a button
with onclick="..." does nothing in the browser (the receipt's and the refund slip's "Print"
buttons did nothing until the tenth session). Every template wires its handlers from a static
script instead (e.g. data-print and billing/print.js)."""
import pathlib
import re

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "webapp"
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_event_handler():
    found = [f"{p.relative_to(TEMPLATES)}:{n}"
             for p in TEMPLATES.rglob("*.html")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if INLINE_HANDLER.search(line)]
    assert found == []

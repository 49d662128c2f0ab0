"""Reading the pages the web app returns, in tests/web.

    from helpers.pages import text
    assert "Reading recorded" in text(client.get(url))

visible_text(html): the words a person sees (no script, style or title; entities decoded);
UNFORMATTED finds an amount that billing.formatting did not format.
"""
import html as htmllib
import re

# an amount with two decimals that no currency sign precedes and no kWh follows
UNFORMATTED = re.compile(r"(?<![€\d,.])-?\d[\d,]*\.\d\d(?!\d)(?! ?kWh)(?! per kWh)")


def text(response):
    """The page's text with tags dropped and blanks collapsed, for matching what a person sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def visible_text(page):
    """The text of the HTML `page` as a person reads it: no script, style or title; entities
    decoded."""
    page = re.sub(r"(?s)<(script|style|title)\b.*?</\1>", " ", page)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))

"""Reading the pages the web app returns in tests/web.

    from helpers.pages import text
    assert "Reading recorded" in text(client.get(url))
"""
import re


def text(response):
    """The page's text with tags dropped and blanks collapsed, for matching what a person sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))

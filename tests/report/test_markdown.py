"""User text in Markdown renders as the text itself: no link, no image, no formatting.

Rendered with markdown-it-py's CommonMark (independent of the escaping code): the HTML
holds one paragraph whose text is the input.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from scenat.report.markdown import literal

HOSTILE = [
    "![pixel](http://evil.example/track.png)",
    "[Log in to keep your account](http://phish.example/login)",
    "<http://phish.example>",
    "**urgent** _now_ `code` ~~gone~~",
    "# Heading",
    "- a list item",
    "1. numbered",
    "> quoted",
    "| a | b |",
    ":red[alarm] :material/warning: :smile:",
    "$\\href{http://x}{y}$",
    "<img src=x onerror=alert(1)>",
    "Tôle d'aluminium, 20 % recycled (www.supplier.example)",
    "a\\*b",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_renders_as_itself(text):
    rendered = (
        MarkdownIt("commonmark").enable("table").enable("strikethrough").render(literal(text))
    )
    assert re.fullmatch(r"<p>.*</p>\n", rendered, flags=re.S), rendered
    inner = rendered[3:-5]
    assert "<" not in inner.replace("&lt;", "")  # no tag at all: no a, img, em, code, del
    assert html.unescape(inner) == text


def test_streamlit_directives_and_autolinks_are_broken():
    escaped = literal(":red[alarm] http://phish.example www.phish.example")
    assert ":red[" not in escaped and "http:" not in escaped and "www." not in escaped

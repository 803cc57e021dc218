"""User text inside Markdown, shown as the text it is.

The app renders its pages as Markdown (Streamlit: CommonMark with tables, colour and icon
directives, emoji and LaTeX). A case description or a node name comes from a partner's
file: rendered as Markdown, ``![x](http://...)`` fetches a remote image and
``[Log in](http://...)`` shows a link. :func:`literal` escapes every character Markdown or
Streamlit gives a meaning, so the text shows exactly as typed.

>>> literal("![x](http://evil.example/i.png) **now**: done")
'!\\\\[x\\\\](http\\\\://evil.example/i.png) \\\\*\\\\*now\\\\*\\\\*: done'
"""

from __future__ import annotations

import re

#: what CommonMark, GFM and Streamlit give a meaning to anywhere in a line: emphasis, code,
#: links and images (``[``; a ``(`` or ``!`` means nothing without it), tables, HTML,
#: strike-through, LaTeX (``$``), e-mail autolinks (``@``), and a ``:`` that starts a
#: directive, an icon, an emoji or a URL scheme (``:red[``, ``:smile:``, ``http://``)
_INLINE = re.compile(r"([\\`*_\[\]#|<>~$@]|:(?=[\w/\[]))")
#: what starts a block at the beginning of a line: lists, quotes, headings, rules
_LINE_START = re.compile(r"(?m)^(\s*)([-+>]|\d+(?=\.))")


def literal(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text (one paragraph: line breaks
    become spaces, so nothing a partner wrote starts a heading, list or table)."""
    plain = " ".join(str(text).split())
    escaped = _INLINE.sub(r"\\\1", plain)
    escaped = re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:-1] + "\\.", escaped)  # autolinks
    return _LINE_START.sub(_block_start, escaped)


def _block_start(found: re.Match[str]) -> str:
    space, mark = found.group(1), found.group(2)
    if mark.isdigit():  # "1. " is a numbered list: escape its dot (a digit cannot be)
        return f"{space}{mark}\\"
    return f"{space}\\{mark}"

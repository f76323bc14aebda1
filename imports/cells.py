"""Text cells a spreadsheet shows as text, never runs: the quote the export puts before text that
starts like a formula, and the one the tradejournal format takes off again.

A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` as a formula, and some also one
starting with a tab or a carriage return (OWASP, CSV injection); a leading `'` makes it text and
is not shown. A note may itself start with quotes, so text starting with quotes and then a
formula character gets one more quote too: a quoted cell is then exactly one whose quotes are
followed by a formula character, and taking one quote off gives back the text as it was, always.
"""

import re

_FORMULA = r"[=+\-@\t\r]"
_NEEDS_QUOTE = re.compile(rf"'*{_FORMULA}")
_QUOTED = re.compile(rf"'+{_FORMULA}")


def quoted(text: str) -> str:
    """`text` as a cell a spreadsheet shows as text."""
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def unquoted(cell: str) -> str:
    """The text `quoted` made `cell` of."""
    return cell[1:] if _QUOTED.match(cell) else cell

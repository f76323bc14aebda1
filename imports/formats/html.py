"""The rows of an HTML report (MetaTrader's) as a spreadsheet opening the file shows them: each <tr>
by its position in the document, with the text of its visible cells.

Read by libxml2's HTML parser (lxml) as a stream of tags to a target that keeps only the rows: no
tree is built, and the time is linear in the file's size whatever its shape. The standard library's
html.parser is quadratic on some (32 KB of `<a` and a newline repeated: 8.9 s, against 0.01 s)."""

from lxml import etree

from imports.formats.base import FormatError

CHUNK = 64 * 1024  # characters fed at a time


def rows(text: str) -> list[tuple[int, list[str]]]:
    """(1-based position of the <tr> in the document, its cells' text), trailing empty cells dropped."""
    table = _Table()
    # No network. huge_tree lifts libxml2's 10 MB bound on one text node, comment or attribute: past
    # it, libxml2 2.14 loops without end on an unclosed comment (measured: 11 MB of "<!--" ran until
    # killed, with huge_tree 0.09 s). The file's size is bounded by the upload limit, and the parse by
    # imports/sandbox.py.
    parser = etree.HTMLParser(target=table, no_network=True, huge_tree=True, recover=True)
    try:
        for at in range(0, len(text), CHUNK):
            parser.feed(text[at : at + CHUNK])
        parser.close()
    except etree.Error as problem:
        raise FormatError(f"the HTML can't be read ({problem})") from None
    return table.rows


class _Table:
    """Every <tr> as (its 1-based position in the document, the text of its visible cells)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, list[str]]] = []
        self._count = 0
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "tr":
            self._close_row()
            self._count += 1
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._close_cell()
            hidden = "hidden" in (attrs.get("class") or "").split()
            self._cell = None if hidden else []  # a hidden cell is MetaTrader's filler, not a column

    def end(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._close_cell()
        elif tag in ("tr", "table"):
            self._close_row()

    def data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        self._close_row()

    def _close_cell(self) -> None:
        if self._cell is not None and self._cells is not None:
            self._cells.append(" ".join("".join(self._cell).replace("\xa0", " ").split()))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._cells is not None:
            cells = self._cells
            while cells and not cells[-1]:
                cells.pop()
            self.rows.append((self._count, cells))
        self._cells = None

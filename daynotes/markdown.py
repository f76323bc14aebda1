"""A day note's Markdown as HTML a page may hold: rendered by markdown-it, then sanitised by nh3.

markdown-it is told to escape raw HTML and refuses javascript:, vbscript: and data: links itself;
nh3 (Ammonia) then keeps only the elements Markdown makes, drops every attribute but a link's
address and title (so no event handler or style survives) and every scheme but http, https and
mailto, and marks links rel="noopener nofollow". Images are not rendered (`![alt](url)` reads as a
link): a page of the journal loads nothing from another site, and a note must not make it.
"""

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow"

_parser = MarkdownIt("default", {"html": False, "linkify": False}).disable("image")


def render(body: str) -> str:
    """`body` (Markdown) as sanitised HTML."""
    return nh3.clean(_parser.render(body), tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)

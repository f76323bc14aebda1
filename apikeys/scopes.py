"""The API's scopes, stated once. One scope never implies another."""

TRADES_READ = "trades:read"
TRADES_WRITE = "trades:write"
STATS_READ = "stats:read"
LEADERBOARD_READ = "leaderboard:read"
WEBHOOKS_READ = "webhooks:read"
WEBHOOKS_WRITE = "webhooks:write"

SCOPES: dict[str, str] = {
    TRADES_READ: "List and read your trades, accounts, tags, imports, day notes and attachments",
    TRADES_WRITE: "Create, change and delete your trades, accounts, tags, imports, day notes and attachments",
    STATS_READ: "Read your performance statistics",
    LEADERBOARD_READ: "Read the 30-day leaderboard",
    WEBHOOKS_READ: "List your webhook endpoints and their delivery logs",
    WEBHOOKS_WRITE: "Create, change and delete your webhook endpoints, rotate their secrets, redeliver and test",
}
ALL_SCOPES: tuple[str, ...] = tuple(SCOPES)
READ_SCOPES: tuple[str, ...] = (TRADES_READ, STATS_READ, LEADERBOARD_READ)

# A view's `required_scopes` maps an HTTP method to a scope, or to ANY_KEY for endpoints that
# any valid key may call. A method it does not list is denied.
ANY_KEY = None


def declared_method(method: str) -> str:
    """The method whose scope a request needs: HEAD and OPTIONS read like GET."""
    return "GET" if method in ("HEAD", "OPTIONS") else method


def ordered(scopes) -> list[str]:
    """The given scopes in canonical order, each once."""
    return [s for s in ALL_SCOPES if s in scopes]


def parse_scopes(text: str) -> list[str]:
    """Scopes from "a,b" text, in canonical order; ValueError names any unknown one."""
    wanted = {s.strip() for s in text.split(",") if s.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}. Valid scopes: {', '.join(ALL_SCOPES)}")
    if not wanted:
        raise ValueError(f"At least one scope is required. Valid scopes: {', '.join(ALL_SCOPES)}")
    return ordered(wanted)

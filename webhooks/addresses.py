"""Where a webhook may be sent: https URLs of public addresses only (unless the operator allows
http or private addresses, for development). Checked when an endpoint is saved, from what the URL
already says, and again at every delivery on each address its name resolves to; the delivery then
connects to the address checked, so a name that resolves differently a moment later (DNS
rebinding) cannot lead it elsewhere."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

HTTPS_ONLY = "The url must start with https://."
NOT_A_URL = "Enter a URL like https://example.com/hooks."
CREDENTIALS = "The url must not carry a user name or password."

# Cloud metadata services not already in a private or link-local range.
METADATA = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}


class Refused(Exception):
    """The URL or an address it leads to is not one a webhook is sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the URL, for the Host header and TLS's server name
    port: int
    path: str  # with the query


def parse(url: str) -> Target:
    """The URL's parts; Refused names what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(NOT_A_URL) from None
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise Refused(HTTPS_ONLY if parts.scheme in ("http", "https") or parts.hostname else NOT_A_URL)
    if not parts.hostname:
        raise Refused(NOT_A_URL)
    if parts.username is not None or parts.password is not None:
        raise Refused(CREDENTIALS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def why_refused(address: str) -> str | None:
    """Why a webhook may not go to `address`, or None when it may."""
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return None
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{name}"):
            return f"{ip} is a {name.replace('_', '-')} address"
    if ip in METADATA or not ip.is_global:
        return f"{ip} is not a public address"
    return None


def literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to; Refused when it resolves to none."""
    if literal(host) is not None:
        return [literal(host)]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as problem:
        raise Refused(f"{host} does not resolve ({problem})") from None
    return list(dict.fromkeys(info[4][0] for info in found))


def checked_address(target: Target) -> str:
    """The address a delivery connects to: the first of the host's, when none of them is refused."""
    addresses = resolve(target.host, target.port)
    for address in addresses:
        reason = why_refused(address)
        if reason:
            raise Refused(f"Refused: {target.host} resolves to {reason}.")
    return addresses[0]


def check_at_creation(url: str) -> None:
    """Refused when the URL already says it goes where webhooks don't: a refused scheme, a private
    literal address, or a name that resolves to one. A name that does not resolve yet is taken: the
    delivery checks again."""
    target = parse(url)
    try:
        checked_address(target)
    except Refused as refusal:
        if literal(target.host) is not None or "resolves to" in str(refusal):
            raise

"""Who is asking: the client's address, as far as the trusted proxies in front vouch for it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address to count a client's requests under.

    With DJANGO_NUM_PROXIES = 0 only the socket's address counts: X-Forwarded-For is whatever the
    client wrote. With N trusted proxies, the address the outermost of them saw is the N-th entry
    from the right. Anything that is not an IP address falls back to the socket's address. An IPv6
    client is counted by its /64, the block one subscriber is given, so rotating addresses within
    it gains nothing.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.NUM_PROXIES:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= settings.NUM_PROXIES:
            address = forwarded[-settings.NUM_PROXIES]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        try:
            ip = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))

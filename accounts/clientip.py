"""The client's address, the one used for every limit, lockout and log line (SMS codes, applications, django-axes,
the access log, online signatures).

Behind a reverse proxy REMOTE_ADDR is the proxy's address, the same for every citizen. The forwarded header is only
believed when the request really came from a proxy we run: settings.TRUSTED_PROXIES lists them (addresses or CIDR
networks). The proxy appends the address it saw to the header, so reading from the right, skipping our own proxies,
the first address that is not ours is the client; anything further left was written by the client and is ignored.
With no trusted proxies configured (the default) the header is never read.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def parse_address(raw: str | None) -> Address | None:
    """An address as written in REMOTE_ADDR or a forwarded header (`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`,
    `2001:db8::1`), or None when it is not one."""
    value = (raw or "").strip().strip('"')
    if not value or len(value) > 64:
        return None
    if value.startswith("["):  # [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in net for net in networks)


def header_meta_key() -> str:
    """The request.META key of the configured header (`X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`)."""
    name = settings.TRUSTED_PROXY_HEADER.strip()
    return name if name.startswith("HTTP_") else "HTTP_" + name.upper().replace("-", "_")


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`, or None when the peer's address is unusable.

    REMOTE_ADDR unless the peer is a trusted proxy; then the right-most entry of the trusted-proxy header that is not
    itself a trusted proxy (or the left-most entry if every hop is ours). A malformed entry stops the walk: the last
    good hop to its right is used, so a broken header never lets the client choose its address."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = trusted_networks()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = request.META.get(header_meta_key(), "").split(",")[-32:]
    chosen = peer
    for raw in reversed(hops):
        hop = parse_address(raw)
        if hop is None:
            break
        chosen = hop
        if not _trusted(hop, networks):
            break
    return str(chosen)

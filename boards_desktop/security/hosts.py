"""Which Host headers reach the app: the defence against DNS rebinding.

A rebinding page keeps its own name (`attacker.example:<port>`) while the name resolves to
127.0.0.1, so the browser sends that name as Host. Only the loopback names with our port pass,
plus the address given to `serve --host` when the artist chose to listen on the network. An IP
literal cannot be rebound, so on a wildcard address (0.0.0.0, ::) any IP literal with our port passes.
"""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AllowedHosts:
    """The Host values this server answers to; the port is learnt once the socket is bound."""

    def __init__(self) -> None:
        self.port: int | None = None  # None: in-process tests, `uvicorn --factory`: any port
        self._names = set(LOOPBACK_NAMES)
        self._any_ip_literal = False

    def listen_on(self, host: str, port: int) -> None:
        self.port = port
        if host in _WILDCARDS:
            self._any_ip_literal = True
        elif not is_loopback(host):
            self._names.add(f"[{host.lower()}]" if ":" in host else host.lower())

    def allows(self, host_header: str) -> bool:
        name, port = split_host(host_header.lower())
        if name not in self._names and not (self._any_ip_literal and _is_ip_literal(name)):
            return False
        if self.port is None:
            return port is None or port.isdigit()
        if port is None:
            return self.port == 80  # browsers leave the default port out
        return port == str(self.port)


def split_host(value: str) -> tuple[str, str | None]:
    """`name[:port]` → (name, port); IPv6 literals keep their brackets."""
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        rest = value[end + 1 :]
        if rest and not rest.startswith(":"):
            return value, None  # `[::1]junk` is not [::1]
        return value[: end + 1], (rest[1:] if rest else None)
    name, colon, port = value.rpartition(":")
    return (name, port) if colon else (value, None)


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True

"""The guarded downloader behind `uploadArtifact(fileUrl)`: public http(s) addresses only.

A URL given by a caller must not make this app fetch from the user's own machine or network
(the router's admin page, a local ComfyUI, cloud metadata at 169.254.169.254). Checking the host
name's addresses and then letting the HTTP client resolve it again would leave a window for DNS
rebinding (the second answer can differ), so the check lives in the network backend: it resolves
the name once, refuses the connection when ANY address is not public, and connects to the vetted
address itself, while TLS (SNI, certificate) and the Host header keep using the name. Redirects
are followed here, each new URL going through the same checks. The body streams to a file, under
the size limit, and is never decompressed (no `Accept-Encoding`), so a small reply cannot grow.

The app always uses `refuse_non_public`; tests that need a server on 127.0.0.1 pass their own
`address_policy` when they build a fetcher themselves.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import certifi  # installed with httpx and httpcore
import httpcore
import httpx

from boards_desktop.media.spool import SpoolFile

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], "str | None"]  # why an address is refused, or None to allow it

MAX_REDIRECTS = 5
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
_NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_ADVICE = "give a public http(s) URL"


class UrlRefused(ValueError):
    """The URL cannot be fetched, or what it gave cannot be kept; the message says why and what to do."""


@dataclass(frozen=True)
class FetchedFile:
    path: Path
    size: int
    url: str  # the final URL, after redirects
    content_type: str | None
    filename_hint: str  # the last segment of the final URL's path (unsanitised), "" when there is none


@dataclass(frozen=True)
class FetchTimeouts:
    connect: float = 10.0
    read: float = 30.0  # between two chunks of the reply
    total: float = 600.0  # the whole download, redirects included


def refuse_non_public(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address (None when it is one)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = refuse_non_public(embedded)
            if reason is not None:
                return f"an IPv6 form of {embedded}, {reason}"
            if address.ipv4_mapped is not None:
                return None  # a connection to it is a connection to the public IPv4 address
        if address.is_site_local:
            return "a site-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in _SHARED_ADDRESS_SPACE:
        return "a shared (carrier-grade NAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


class UrlFetcher:
    """Downloads one URL at a time into a file, under `max_bytes`, through the address policy."""

    def __init__(
        self,
        *,
        max_bytes: int,
        address_policy: AddressPolicy = refuse_non_public,
        timeouts: FetchTimeouts = FetchTimeouts(),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self._policy = address_policy
        self._timeouts = timeouts
        self._ssl_context = ssl_context

    async def fetch(self, url: str, destination: Path) -> FetchedFile:
        """Download `url` into `destination` (a fresh path); nothing stays there when it fails."""
        current = check_url(url, self._policy)
        spool = SpoolFile(destination)
        try:
            async with asyncio.timeout(self._timeouts.total):
                return await self._follow(current, spool)
        except TimeoutError:
            await spool.discard()
            raise UrlRefused(
                f"the download took longer than {self._timeouts.total:g} s; try again, or download the file "
                "and upload it through POST /api/uploads/artifact"
            ) from None
        except BaseException:
            await spool.discard()
            raise

    async def _follow(self, current: httpx.URL, spool: SpoolFile) -> FetchedFile:
        backend = _GuardedBackend(self._policy)
        async with httpcore.AsyncConnectionPool(
            ssl_context=self._ssl_context or _default_ssl_context(), network_backend=backend, retries=0
        ) as pool:
            for _hop in range(MAX_REDIRECTS + 1):
                try:
                    async with pool.stream(
                        "GET", _core_url(current), headers=_HEADERS, extensions=self._extensions()
                    ) as reply:
                        if reply.status in _REDIRECT_STATUSES:
                            current = self._redirect_target(current, reply)
                            continue
                        if not 200 <= reply.status < 300:
                            raise UrlRefused(
                                f"{_host_of(current)} answered {reply.status} {_reason(reply)}; check the URL"
                            )
                        await self._save(reply, spool)
                        return FetchedFile(
                            path=spool.path,
                            size=spool.size,
                            url=str(current),
                            content_type=_header(reply.headers, b"content-type"),
                            filename_hint=unquote(current.path.rsplit("/", 1)[-1]),
                        )
                except httpcore.TimeoutException:
                    raise UrlRefused(f"{_host_of(current)} did not answer in time; try again later") from None
                except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
                    raise UrlRefused(
                        f"could not download from {_host_of(current)} ({exc or type(exc).__name__})"
                    ) from None
        raise UrlRefused(f"more than {MAX_REDIRECTS} redirects; give the file's final URL")

    def _redirect_target(self, current: httpx.URL, reply: httpcore.Response) -> httpx.URL:
        location = _header(reply.headers, b"location")
        if not location:
            raise UrlRefused(f"{_host_of(current)} answered {reply.status} without a Location to go to; check the URL")
        try:
            target = current.join(location)
        except httpx.InvalidURL as exc:
            raise UrlRefused(f"{_host_of(current)} redirected to an invalid URL ({exc})") from None
        return check_url(str(target), self._policy, redirected=True)

    async def _save(self, reply: httpcore.Response, spool: SpoolFile) -> None:
        announced = _header(reply.headers, b"content-length")
        if announced is not None and announced.isdigit() and int(announced) > self.max_bytes:
            raise UrlRefused(_too_large(self.max_bytes))
        await spool.open()
        async for chunk in reply.aiter_stream():
            if spool.size + len(chunk) > self.max_bytes:
                raise UrlRefused(_too_large(self.max_bytes))
            await spool.write(chunk)
        await spool.finish()

    def _extensions(self) -> dict[str, object]:
        t = self._timeouts
        return {"timeout": {"connect": t.connect, "read": t.read, "write": t.read, "pool": t.connect}}


def check_url(url: str, policy: AddressPolicy = refuse_non_public, *, redirected: bool = False) -> httpx.URL:
    """The parsed URL when its form is one we may fetch; the addresses of a name are checked on connecting."""
    where = "redirected to " if redirected else ""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise UrlRefused(f"{where}{url!r} is not a valid URL ({exc}); {_ADVICE}") from None
    if parsed.scheme not in ("http", "https"):
        scheme = f"{parsed.scheme}://" if parsed.scheme else "a URL without a scheme"
        raise UrlRefused(f"{where}{scheme} is not allowed, only http:// and https://; {_ADVICE}")
    if not parsed.host:
        raise UrlRefused(f"{where}{url!r} has no host; {_ADVICE}")
    host = parsed.host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        raise UrlRefused(f"{where}{parsed.host} is this computer; {_ADVICE}")
    literal = _literal_address(host)
    if literal is not None:
        address, spelled_differently = literal
        # The policy sees it again on connecting; checking here says what is wrong before any work.
        refused = policy(address)
        if refused is not None:
            shown = f"{parsed.host} (that is {address})" if spelled_differently else str(address)
            raise UrlRefused(f"{where}{shown} is {refused}; {_ADVICE}")
    return parsed


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves once, vets every address, and connects to a vetted address (never the name)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]]
        | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        for address in addresses:
            reason = self._policy(address)
            if reason is not None:
                literal = _literal_address(host)
                named = f"{address} is" if literal and literal[0] == address else f"{host} resolves to {address},"
                raise UrlRefused(f"{named} {reason}; {_ADVICE}")
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise httpcore.ConnectError(f"could not connect to {host}: {last_error}")

    async def connect_unix_socket(self, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        raise UrlRefused("Unix sockets are not allowed; " + _ADVICE)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise UrlRefused(f"looking up {host} took too long; check the URL, or try again") from None
        except OSError:
            raise UrlRefused(f"{host} was not found (DNS); check the URL") from None
        # Scope ids ("fe80::1%eth0") are dropped: the address alone decides.
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos))
        if not addresses:
            raise UrlRefused(f"{host} has no address; check the URL")
        return addresses


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, NAT64 or Teredo IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in prefix for prefix in _NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _literal_address(host: str) -> tuple[IPAddress, bool] | None:
    """The address a host written as an IP stands for, and whether it was spelled unusually.

    `2130706433`, `0x7f.1` and `017700000001` are all 127.0.0.1 to the C resolver (inet_aton).
    """
    try:
        address = ipaddress.ip_address(host.strip("[]"))
        return address, False
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host)), True
        except OSError:
            return None
    return None


def _core_url(url: httpx.URL) -> httpcore.URL:
    return httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path)


_HEADERS = [(b"Accept", b"*/*"), (b"Accept-Encoding", b"identity"), (b"User-Agent", b"boards-desktop")]


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def _reason(reply: httpcore.Response) -> str:
    phrase = reply.extensions.get("reason_phrase", b"")
    return phrase.decode("latin-1") if isinstance(phrase, bytes) else str(phrase)


def _host_of(url: httpx.URL) -> str:
    return url.host if url.port is None else f"{url.host}:{url.port}"


def _too_large(max_bytes: int) -> str:
    return (
        f"the file is larger than the upload limit of {max_bytes / (1024 * 1024):g} MB; "
        "use a smaller file, or raise BOARDS_MAX_UPLOAD_MB"
    )


@cache
def _default_ssl_context() -> ssl.SSLContext:
    # certifi's roots, as httpx uses: a bundled app cannot count on the system's certificate store.
    return ssl.create_default_context(cafile=certifi.where())

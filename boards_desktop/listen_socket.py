"""The server's listening socket, bound by us so that port 0 gives a known free port.

A module of its own, with nothing heavy imported: the window's launcher binds the socket first,
so that the window and the browser know the server's address before the server has started.
"""

from __future__ import annotations

import socket


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said out loud: the event loop turns Nagle's algorithm off only on accepted sockets
    # whose protocol is TCP, and a socket made with protocol 0 is not seen as one. With Nagle on, a
    # response written in two parts waits for the client's delayed ACK: 40 ms per request on a
    # kept-alive connection (measured).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock

"""Drive a paho-mqtt client from the asyncio event loop.

paho is written for its own network thread or for an "external event loop":
it reports, through callbacks, when its socket opens, closes and has bytes to
write, and we call ``loop_read``/``loop_write``/``loop_misc`` at the right
moments. That keeps every MQTT connection on the one event loop (a thousand
simulated agents must not mean a thousand threads).

``connect()`` is blocking in paho (TCP connect plus the CONNECT packet), so it
runs in an executor thread; the socket callbacks it triggers there are moved
onto the loop thread with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho

log = logging.getLogger(__name__)


class SocketBridge:
    """Registers one paho client's socket with ``loop`` for reading and writing."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: paho.Client) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._client = client
        # File descriptors are remembered as numbers: paho may already have
        # closed the socket object (fileno() == -1) when the removal runs.
        self._read_fd: int | None = None
        self._write_fd: int | None = None
        self._detached = False
        client.on_socket_open = self._on_open
        client.on_socket_close = self._on_close
        client.on_socket_register_write = self._on_want_write
        client.on_socket_unregister_write = self._on_no_write

    def _in_loop(self, fn: Callable[..., None], *args: Any) -> None:
        if threading.get_ident() == self._loop_thread:
            fn(*args)
        else:
            try:
                self._loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:
                # The loop is closed: nothing left to register with.
                pass

    # --- paho callbacks (any thread) ------------------------------------------

    def _on_open(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._in_loop(self._add_reader, sock.fileno())

    def _on_close(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._in_loop(self._remove_all)

    def _on_want_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._in_loop(self._add_writer, sock.fileno())

    def _on_no_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._in_loop(self._remove_writer)

    # --- loop thread only -----------------------------------------------------

    def _add_reader(self, fd: int) -> None:
        if self._detached or fd < 0:
            return
        self._remove_reader()
        try:
            self._loop.add_reader(fd, self._readable)
        except (ValueError, OSError):
            return
        self._read_fd = fd

    def _add_writer(self, fd: int) -> None:
        if self._detached or fd < 0 or self._write_fd == fd:
            return
        self._remove_writer()
        try:
            self._loop.add_writer(fd, self._writable)
        except (ValueError, OSError):
            return
        self._write_fd = fd

    def _remove_reader(self) -> None:
        if self._read_fd is not None:
            self._loop.remove_reader(self._read_fd)
            self._read_fd = None

    def _remove_writer(self) -> None:
        if self._write_fd is not None:
            self._loop.remove_writer(self._write_fd)
            self._write_fd = None

    def _remove_all(self) -> None:
        self._remove_reader()
        self._remove_writer()

    def _readable(self) -> None:
        try:
            self._client.loop_read()
        except Exception:  # a bug in a callback must not kill the event loop's reader
            log.exception("MQTT read failed")

    def _writable(self) -> None:
        try:
            self._client.loop_write()
        except Exception:
            log.exception("MQTT write failed")

    def detach(self) -> None:
        """Stop watching the socket for good (the client is being discarded)."""
        self._detached = True
        self._remove_all()

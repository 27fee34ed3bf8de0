"""Suite-wide fixtures: offscreen Qt, no network, settings and data in temporary folders."""

from __future__ import annotations

import os
import socket

import pytest
from hypothesis import settings

# Deterministic property tests: the same examples on every run and machine (CI must not
# flake). Set HYPOTHESIS_PROFILE=explore locally to search with fresh random examples.
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")


class NetworkUsed(AssertionError):
    pass


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


def _is_network(sock: socket.socket) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _guard(real):
    def guarded(self, *args, **kwargs):
        if _is_network(self):
            raise NetworkUsed(f"Scenario Workbench works offline: a test tried a network connection to {args[:1]}")
        return real(self, *args, **kwargs)

    return guarded


def _no_lookup(*args, **kwargs):
    raise NetworkUsed(f"Scenario Workbench works offline: a test tried to resolve {args[:1]}")


def _no_create(*args, **kwargs):
    raise NetworkUsed(f"Scenario Workbench works offline: a test tried to connect to {args[:1]}")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any IP socket connection or name lookup fails the test (local pipes stay allowed)."""
    monkeypatch.setattr(socket.socket, "connect", _guard(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guard(_real_connect_ex))
    monkeypatch.setattr(socket.socket, "sendto", _guard(_real_sendto))
    monkeypatch.setattr(socket, "getaddrinfo", _no_lookup)
    monkeypatch.setattr(socket, "create_connection", _no_create)
    yield


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory, monkeypatch):
    """Settings, snapshot library and data folders point into a temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("WORKBENCH_LIBRARY", str(home / "library.sqlite"))
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
    monkeypatch.setenv("HOME", str(home))
    yield home

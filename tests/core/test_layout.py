"""The house rules: a Qt-free core, offline, a working CLI skeleton."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.conftest import NetworkUsed


def test_core_loads_no_qt():
    code = ("import sys, workbench; from workbench import default_scenario, validate; "
            "validate(default_scenario()); "
            "import workbench.cli; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')); "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_network_is_refused_in_tests():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkUsed):
            s.connect(("127.0.0.1", 9))
    finally:
        s.close()
    with pytest.raises(NetworkUsed):
        socket.getaddrinfo("example.org", 443)


@pytest.mark.parametrize("command", ["validate", "run", "template", "diff", "snapshot"])
def test_every_subcommand_has_help(command):
    out = subprocess.run([sys.executable, "-m", "workbench", command, "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "usage: workbench " + command in out.stdout


def test_malformed_command_line_exits_2():
    out = subprocess.run([sys.executable, "-m", "workbench", "no-such-command"], capture_output=True, text=True)
    assert out.returncode == 2
    assert "invalid choice" in out.stderr
    assert "Traceback" not in out.stderr

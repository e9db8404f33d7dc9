#!/usr/bin/env python3
"""test_set.py: sockopt set is all or nothing, checked by an independent reader.

A python3 target (started here) holds a connected TCP socket; the reader is
this script, which takes its own duplicate of the target's socket with
pidfd_open + pidfd_getfd and reads the options with getsockopt, never with
sockopt.  Every failing set must leave every option as it was, print
nothing on stdout, one sentence on stderr naming the target's PID:FD, and
exit 1 (a refused capability or kernel refusal) or 2 (a value the catalog
knows is out of range).
"""
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pyutil import borrowed_socket  # noqa: E402

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))

TARGET = r"""
import socket, sys, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
print(c.fileno(), l.fileno(), l.getsockname()[1], flush=True)
sys.stdin.read()
"""

# (level, optname, how to decode) for the options the tests change.
OPTS = {
    "SO_PRIORITY": (socket.SOL_SOCKET, socket.SO_PRIORITY, "i"),
    "IP_TTL": (socket.IPPROTO_IP, socket.IP_TTL, "i"),
    "TCP_NODELAY": (socket.IPPROTO_TCP, socket.TCP_NODELAY, "i"),
    "TCP_KEEPIDLE": (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, "i"),
    "TCP_KEEPCNT": (socket.IPPROTO_TCP, socket.TCP_KEEPCNT, "i"),
    "IP_MTU_DISCOVER": (socket.IPPROTO_IP, 10, "i"),
    "SO_SNDBUF": (socket.SOL_SOCKET, socket.SO_SNDBUF, "i"),
    "SO_RCVBUF": (socket.SOL_SOCKET, socket.SO_RCVBUF, "i"),
    "SO_BUF_LOCK": (socket.SOL_SOCKET, 72, "i"),
    "SO_DEBUG": (socket.SOL_SOCKET, socket.SO_DEBUG, "i"),
    "TCP_CONGESTION": (socket.IPPROTO_TCP, 13, "s"),
}


def reader(pid, fd):
    """Every option of OPTS on fd FD of PID, read through our own duplicate of it."""
    s = borrowed_socket(pid, fd)
    try:
        out = {}
        for name, (level, opt, how) in OPTS.items():
            if how == "s":
                out[name] = s.getsockopt(level, opt, 16).rstrip(b"\0").decode()
            else:
                out[name] = s.getsockopt(level, opt)
        return out
    finally:
        s.close()


class Target:
    def __init__(self, user=None):
        pre = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if user else []
        self.p = subprocess.Popen(pre + [sys.executable, "-c", TARGET], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.fd, self.listener, self.port = map(int, self.p.stdout.readline().split())
        self.spec = "%d:%d" % (self.p.pid, self.fd)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)
        self.p.stdout.close()


def sockopt(args, user=None):
    pre = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if user else []
    return subprocess.run(pre + [SOCKOPT, "set", *args], capture_output=True, timeout=60)


class AllOrNothing(unittest.TestCase):
    def setUp(self):
        self.t = Target()

    def tearDown(self):
        self.t.close()

    def refused(self, code, *assignments, pattern=None):
        before = reader(self.t.p.pid, self.t.fd)
        r = sockopt([self.t.spec, *assignments])
        after = reader(self.t.p.pid, self.t.fd)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, code, err)
        self.assertEqual(r.stdout, b"", "stdout must stay empty on error")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertEqual(before, after, "set %s changed something: %s" % (assignments, err))
        if pattern:
            self.assertRegex(err, pattern)
        return err

    def test_out_of_range_changes_nothing(self):
        self.refused(2, "SO_PRIORITY=3", "IP_TTL=256", pattern="IP_TTL: 256 is out of range")
        self.refused(2, "SO_PRIORITY=3", "TCP_KEEPIDLE=0", pattern="1 to 32767")
        self.refused(2, "SO_PRIORITY=3", "TCP_CONGESTION=nosuch",
                     pattern="tcp_available_congestion_control")
        self.refused(2, "SO_PRIORITY=3", "IP_MTU_DISCOVER=99", pattern="0 to 5")
        self.refused(2, "SO_PRIORITY=3", "TCP_KEEPCNT=0", pattern="1 to 127")

    def test_a_kernel_refusal_is_rolled_back_and_said(self):
        before = reader(self.t.p.pid, self.t.fd)
        err = self.refused(1, "SO_PRIORITY=3", "SO_SNDBUF=64K", "TCP_NODELAY=on",
                           "TCP_ULP=nosuch")
        self.assertIn(self.t.spec + ":", err)
        self.assertIn("ENOENT", err)
        self.assertRegex(err, "SO_PRIORITY was restored to %d" % before["SO_PRIORITY"])
        self.assertRegex(err, "SO_SNDBUF was restored to %d" % before["SO_SNDBUF"])
        self.assertNotRegex(err, "on fd [0-9]")

    def test_a_good_change_is_made_whole(self):
        r = sockopt([self.t.spec, "SO_PRIORITY=3", "IP_TTL=33", "TCP_KEEPIDLE=77"])
        self.assertEqual(r.returncode, 0, r.stderr)
        now = reader(self.t.p.pid, self.t.fd)
        self.assertEqual((now["SO_PRIORITY"], now["IP_TTL"], now["TCP_KEEPIDLE"]), (3, 33, 77))

    def test_bad_targets_print_one_line_and_no_json(self):
        for target, pattern in (("%d:999" % self.t.p.pid, "999"),
                                ("%d:0" % self.t.p.pid, "not a socket"),
                                ("999999999:3", "999999999")):
            r = subprocess.run([SOCKOPT, "set", "--json", target, "IP_TTL=5"], capture_output=True,
                               timeout=30)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stdout, b"")
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertRegex(r.stderr.decode(), pattern)


def ss_line(local_port, peer_port):
    """ss's memory and TCP info of the connection from LOCAL_PORT to PEER_PORT."""
    r = subprocess.run(["ss", "-tinmH", "sport = :%d and dport = :%d" % (local_port, peer_port)],
                       capture_output=True, text=True, timeout=30)
    return " ".join(r.stdout.split())


class Readback(unittest.TestCase):
    """The readback says the mechanism and what takes effect now (issue 12, items 5 and 7)."""

    def setUp(self):
        self.t = Target()

    def tearDown(self):
        self.t.close()

    def test_a_capped_size_says_capped_then_doubled(self):
        wmem_max = int(open("/proc/sys/net/core/wmem_max").read())
        r = sockopt([self.t.spec, "SO_SNDBUF=%d" % (2 * wmem_max)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(reader(self.t.p.pid, self.t.fd)["SO_SNDBUF"], 2 * wmem_max)
        self.assertIn("capped at net.core.wmem_max = %d, then doubled" % wmem_max,
                      r.stdout.decode())

    def test_an_established_socket_takes_sndbuf_now_without_a_warning(self):
        r = sockopt([self.t.spec, "SO_SNDBUF=64K"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")
        self.assertIn("the send queue limit changes now", r.stdout.decode())
        self.assertEqual(reader(self.t.p.pid, self.t.fd)["SO_SNDBUF"], 131072)

    def test_an_established_socket_keeps_its_window_scale(self):
        r = sockopt([self.t.spec, "SO_RCVBUF=1M"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("window scale was fixed in its handshake", r.stderr.decode())
        self.assertEqual(reader(self.t.p.pid, self.t.fd)["SO_RCVBUF"], 2097152)

    def test_a_listeners_later_connections_inherit_rcvbuf(self):
        r = sockopt(["%d:%d" % (self.t.p.pid, self.t.listener), "SO_RCVBUF=1M"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"", "a listener's later connections do inherit it")
        self.assertIn("connections accepted from now on inherit it", r.stdout.decode())
        with socket.create_connection(("127.0.0.1", self.t.port)) as c:
            line = ss_line(self.t.port, c.getsockname()[1])
        self.assertIn("rb2097152", line)


class Unprivileged(unittest.TestCase):
    """As nobody, against a process of nobody: SO_DEBUG needs CAP_NET_ADMIN, so nothing changes."""

    def test_nodelay_stays_off_when_debug_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to become nobody")
        t = Target(user="nobody")
        try:
            before = reader(t.p.pid, t.fd)
            r = sockopt([t.spec, "TCP_NODELAY=on", "SO_DEBUG=on"], user="nobody")
            after = reader(t.p.pid, t.fd)
        finally:
            t.close()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, b"")
        self.assertIn("CAP_NET_ADMIN", r.stderr.decode())
        self.assertEqual(before, after)
        self.assertEqual(after["TCP_NODELAY"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)

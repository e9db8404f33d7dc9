#!/usr/bin/env python3
"""test_family.py: IP_TOS and IP_TTL are family-neutral on IPv6 sockets (issue 12 item 8, issue 13).

On an AF_INET6 socket the kernel keeps IP_TOS for IPv4-mapped traffic only
and marks IPv6 packets with IPV6_TCLASS; sockopt sets IPV6_TCLASS (and
IP_TOS too on a dual-stack socket), IPV6_UNICAST_HOPS for IP_TTL, and says
so.  Every value is checked by a reader that is not sockopt: this script's
own duplicate of the target's socket (pidfd_getfd) or the program's own
getsockopt, and the traffic class of a datagram received on ::1.
"""
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pyutil import borrowed_socket  # noqa: E402

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
EF = 0xB8  # DSCP EF (46) in the traffic-class byte

# A process holding a connected TCP6 socket on ::1, dual-stack or V6ONLY, and a UDP6 socket
# connected to PORT that sends one datagram for each line read on stdin.
TARGET = r"""
import socket, sys
v6only, port = int(sys.argv[1]), int(sys.argv[2])
l = socket.socket(socket.AF_INET6); l.bind(("::1", 0)); l.listen()
c = socket.socket(socket.AF_INET6)
c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
c.connect(l.getsockname()); s, _ = l.accept()
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.connect(("::1", port))
print(c.fileno(), u.fileno(), flush=True)
for line in sys.stdin:
    u.send(b"x")
    print("sent", flush=True)
"""

# Under sockopt run: a UDP6 socket sends one datagram to PORT and the program prints what its
# own getsockopt reads.
RUN_PROGRAM = r"""
import socket, sys
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.sendto(b"x", ("::1", int(sys.argv[1])))
print(u.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS),
      u.getsockopt(socket.IPPROTO_IP, socket.IP_TOS),
      u.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS), flush=True)
"""

OPTS = {
    "IP_TOS": (socket.IPPROTO_IP, socket.IP_TOS),
    "IPV6_TCLASS": (socket.IPPROTO_IPV6, socket.IPV6_TCLASS),
    "IP_TTL": (socket.IPPROTO_IP, socket.IP_TTL),
    "IPV6_UNICAST_HOPS": (socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS),
}


def reader(pid, fd):
    """The options of OPTS on fd FD of PID, read through our own duplicate of it."""
    s = borrowed_socket(pid, fd)
    try:
        return {name: s.getsockopt(level, opt) for name, (level, opt) in OPTS.items()}
    finally:
        s.close()


def receiver():
    """A UDP6 socket on ::1 that delivers each datagram's traffic class."""
    r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    r.bind(("::1", 0))
    r.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
    r.settimeout(10)
    return r


def received_tclass(r):
    _, anc, _, _ = r.recvmsg(16, socket.CMSG_SPACE(4))
    for level, kind, data in anc:
        if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_TCLASS:
            return int.from_bytes(data[:4], sys.byteorder)
    return None


class Target:
    def __init__(self, v6only, port):
        self.p = subprocess.Popen([sys.executable, "-c", TARGET, str(int(v6only)), str(port)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.tcp, self.udp = map(int, self.p.stdout.readline().split())

    def send(self):
        self.p.stdin.write("go\n")
        self.p.stdin.flush()
        self.p.stdout.readline()

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)
        self.p.stdout.close()


def sockopt(*args):
    return subprocess.run([SOCKOPT, *args], capture_output=True, text=True, timeout=60)


class SetOnIPv6(unittest.TestCase):
    def setUp(self):
        self.r = receiver()

    def tearDown(self):
        self.r.close()

    def target(self, v6only):
        t = Target(v6only, self.r.getsockname()[1])
        self.addCleanup(t.close)
        return t

    def test_tos_on_a_dual_stack_socket_sets_tclass_and_tos(self):
        t = self.target(False)
        r = sockopt("set", "%d:%d" % (t.p.pid, t.tcp), "IP_TOS=EF")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("IPv6 socket: set IPV6_TCLASS=EF and IP_TOS", r.stdout)
        now = reader(t.p.pid, t.tcp)
        self.assertEqual((now["IPV6_TCLASS"], now["IP_TOS"]), (EF, EF))

    def test_tos_on_a_v6only_socket_sets_tclass_only(self):
        t = self.target(True)
        r = sockopt("set", "%d:%d" % (t.p.pid, t.tcp), "tos=EF")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("IPv6 socket: set IPV6_TCLASS=EF;", r.stdout)
        now = reader(t.p.pid, t.tcp)
        self.assertEqual((now["IPV6_TCLASS"], now["IP_TOS"]), (EF, 0))

    def test_ttl_sets_the_unicast_hop_limit(self):
        t = self.target(False)
        r = sockopt("set", "%d:%d" % (t.p.pid, t.tcp), "IP_TTL=7")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("IPv6 socket: set IPV6_UNICAST_HOPS=7", r.stdout)
        now = reader(t.p.pid, t.tcp)
        self.assertEqual((now["IPV6_UNICAST_HOPS"], now["IP_TTL"]), (7, 7))

    def test_a_datagram_sent_after_set_carries_the_class(self):
        t = self.target(False)
        t.send()
        self.assertEqual(received_tclass(self.r), 0)
        r = sockopt("set", "%d:%d" % (t.p.pid, t.udp), "IP_TOS=EF")
        self.assertEqual(r.returncode, 0, r.stderr)
        t.send()
        self.assertEqual(received_tclass(self.r), EF)

    def test_a_refusal_leaves_both_as_they_were(self):
        t = self.target(False)
        before = reader(t.p.pid, t.tcp)
        r = sockopt("set", "%d:%d" % (t.p.pid, t.tcp), "IP_TOS=EF", "TCP_ULP=nosuch")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("IP_TOS was restored", r.stderr)
        self.assertEqual(reader(t.p.pid, t.tcp), before)


class RunOnIPv6(unittest.TestCase):
    def test_run_marks_ipv6_datagrams(self):
        with receiver() as rcv:
            r = subprocess.run([SOCKOPT, "run", "-o", "IP_TOS=EF,IP_TTL=9", "--", sys.executable,
                                "-c", RUN_PROGRAM, str(rcv.getsockname()[1])],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(received_tclass(rcv), EF)
        tclass, tos, hops = map(int, r.stdout.split())
        self.assertEqual((tclass, tos, hops), (EF, EF, 9))


if __name__ == "__main__":
    unittest.main(verbosity=2)

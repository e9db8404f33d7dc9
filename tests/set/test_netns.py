#!/usr/bin/env python3
"""test_netns.py: show and set read defaults, sysctls and interface names in the target's namespace (issue 12 item 6, issue 15).

The target is a python3 process in a network namespace of its own (unshare
-n, made here and gone with the process) whose net.ipv4.ip_default_ttl is
99 and net.ipv4.tcp_congestion_control reno, with a veth pair that exists
only there.  It never sets IP_TTL or TCP_CONGESTION, so show must
call both defaults; set must accept the namespace's interface and refuse
one that exists only in sockopt's namespace.  Memberships are checked in
/proc/PID/net/igmp, which the kernel fills from the target's namespace.
A listener bound (SO_BINDTODEVICE) to the namespace's veth must be shown
with that name by both backends, and `set --match` must reach the
target's connection, read back from outside by tests/progs/peek.py.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import unittest

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
PEEK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "progs", "peek.py")
PIN_DIR = "/sys/fs/bpf/sockopt-test-netns-%d" % os.getpid()
IFACE = "zzns%d" % (os.getpid() % 100000)

# argv: the veth's name and the port to listen on (held in sockopt's namespace by the test).
TARGET = r"""
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", int(sys.argv[2]))); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = socket.socket(); b.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
b.bind(("0.0.0.0", 0)); b.listen()
print(c.fileno(), u.fileno(), l.getsockname()[1], b.fileno(), socket.if_nametoindex(sys.argv[1]),
      flush=True)
sys.stdin.read()
"""

SETUP = ("ip link set lo up && sysctl -qw net.ipv4.ip_default_ttl=99 "
         "net.ipv4.tcp_congestion_control=reno && ip link add {0} type veth peer name {0}p && "
         "ip link set {0} up && exec \"$0\" -c \"$1\" {0} \"$2\"")


def sockopt(*args):
    env = dict(os.environ, SOCKOPT_BPF_PIN_DIR=PIN_DIR)
    return subprocess.run([SOCKOPT, *args], capture_output=True, text=True, timeout=60, env=env)


def peek(pid, name):
    """{fd: value} of option NAME on every socket of PID, read from outside (pidfd_getfd)."""
    out = subprocess.run([sys.executable, PEEK, str(pid), name], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    fields = [dict(f.split("=", 1) for f in line.split()) for line in out.splitlines()]
    return {int(f["fd"]): f[name] for f in fields}


def option(sock, name):
    for o in sock["options"]:
        if o["name"] == name:
            return o
    raise KeyError(name)


def our_only_interface():
    """An interface of sockopt's namespace other than lo (the target's has only lo and the IFACE pair)."""
    names = sorted(n for n in os.listdir("/sys/class/net") if n != "lo" and not n.startswith(IFACE))
    return names[0] if names else None


class OwnNamespace(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root for unshare -n")
        # The target's port, held here in sockopt's namespace (both families, never
        # listening), so that no socket of this namespace has it as its peer port.
        cls.held = socket.socket(socket.AF_INET6)
        cls.held.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        cls.held.bind(("::", 0))
        cls.p = subprocess.Popen(["unshare", "-n", "sh", "-c", SETUP.format(IFACE), sys.executable,
                                  TARGET, str(cls.held.getsockname()[1])],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = cls.p.stdout.readline()
        if not line:
            cls.p.wait(timeout=10)
            cls.held.close()
            raise unittest.SkipTest("could not make a namespace with a veth pair")
        cls.tcp, cls.udp, cls.port, cls.bound, cls.ifindex = map(int, line.split())
        # A TCP socket of sockopt's own namespace, so that a whole-machine read meets ours first.
        cls.home = socket.create_server(("127.0.0.1", 0))

    @classmethod
    def tearDownClass(cls):
        cls.home.close()
        cls.held.close()
        cls.p.stdin.close()
        cls.p.wait(timeout=10)
        cls.p.stdout.close()
        if os.path.isdir(PIN_DIR):
            shutil.rmtree(PIN_DIR)

    def shown(self, *flags):
        r = sockopt("show", "--json", "--all", *flags, "%d:%d" % (self.p.pid, self.tcp))
        self.assertEqual(r.returncode, 0, r.stderr)
        socks = json.loads(r.stdout)["sockets"]
        self.assertEqual(len(socks), 1, r.stdout)
        return socks[0]

    def check_defaults(self, sock):
        ttl, cc = option(sock, "IP_TTL"), option(sock, "TCP_CONGESTION")
        self.assertEqual((ttl["value"], ttl["default"]), (99, True), ttl)
        self.assertEqual((cc["value"], cc["default"]), ("reno", True), cc)
        own = os.stat("/proc/%d/ns/net" % self.p.pid).st_ino
        self.assertEqual(sock["netns"], own)

    def test_show_calls_the_namespace_defaults_defaults(self):
        self.check_defaults(self.shown("--backend", "pidfd"))

    def test_show_through_bpf_does_the_same(self):
        # Every process, so that the namespace of sockopt is read first, as a whole-machine show does.
        r = sockopt("show", "--backend", "bpf", "--json", "--all", "--port", str(self.port))
        if r.returncode != 0:
            self.skipTest("the BPF backend is not available: " + r.stderr.strip())
        mine = [s for s in json.loads(r.stdout)["sockets"] if s["pid"] == self.p.pid]
        self.assertEqual(len(mine), 3, r.stdout)  # the listener and both ends of its connection
        for sock in mine:
            self.assertEqual(sock["backend"], "bpf")
            self.check_defaults(sock)

    def test_show_text_lists_neither_as_set(self):
        r = sockopt("show", "%d:%d" % (self.p.pid, self.tcp))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("netns=%d" % os.stat("/proc/%d/ns/net" % self.p.pid).st_ino, r.stdout)
        self.assertNotIn("ttl=", r.stdout)
        self.assertNotIn("congestion=", r.stdout)

    def check_bound_device(self, sock):
        """The veth's name, which only the target's namespace gives its index."""
        self.assertEqual(option(sock, "SO_BINDTODEVICE")["value"], IFACE)
        self.assertEqual(option(sock, "SO_BINDTOIFINDEX")["value"], self.ifindex)

    def test_show_names_the_bound_interface_in_the_targets_namespace(self):
        # Index IFINDEX names another interface, or none, in sockopt's own namespace.
        try:
            ours = socket.if_indextoname(self.ifindex)
        except OSError:
            ours = None
        self.assertNotEqual(ours, IFACE)
        r = sockopt("show", "--json", "--all", "--backend", "pidfd", "%d:%d" % (self.p.pid, self.bound))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_bound_device(json.loads(r.stdout)["sockets"][0])
        r = sockopt("show", "%d:%d" % (self.p.pid, self.bound))
        self.assertIn("SO_BINDTODEVICE=%s " % IFACE, r.stdout)

    def test_show_through_bpf_names_it_too(self):
        r = sockopt("show", "--backend", "bpf", "--tcp", "--json", "--all", str(self.p.pid))
        if r.returncode != 0:
            self.skipTest("the BPF backend is not available: " + r.stderr.strip())
        socks = json.loads(r.stdout)["sockets"]
        mine = [s for s in socks if s["fd"] == self.bound]
        self.assertEqual(len(mine), 1, r.stdout[:3000])
        self.check_bound_device(mine[0])
        # Its other three TCP sockets are bound to no interface: the empty name of a fresh socket (null).
        unbound = [option(s, "SO_BINDTODEVICE") for s in socks if s["fd"] != self.bound]
        self.assertEqual([(o["value"], o["default"]) for o in unbound], [(None, True)] * 3, unbound)
        text = sockopt("show", "--backend", "bpf", "--tcp", str(self.p.pid)).stdout
        self.assertIn("SO_BINDTODEVICE=%s " % IFACE, text)

    def test_set_match_reaches_the_targets_namespace(self):
        """set --match 'dport = PORT' finds the target's connection and sets TCP_KEEPIDLE there."""
        own = os.stat("/proc/%d/ns/net" % self.p.pid).st_ino
        dry = sockopt("set", "--match", "dport = %d" % self.port, "TCP_KEEPIDLE=30", "--dry-run")
        if dry.returncode != 0 and "BPF" in dry.stderr:
            self.skipTest("the BPF backend is not available: " + dry.stderr.strip())
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("pid %d (python3) fd %d netns %d 127.0.0.1:" % (self.p.pid, self.tcp, own),
                      dry.stdout)
        self.assertEqual(peek(self.p.pid, "TCP_KEEPIDLE")[self.tcp], "7200")
        # Other sessions' namespaces may hold a connection to the same port number:
        # the change itself is narrowed to the target.
        r = sockopt("set", "--match", "dport = %d and pid = %d" % (self.port, self.p.pid),
                    "TCP_KEEPIDLE=30")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\Apid %d \(python3\) fd %d netns %d 127\.0\.0\.1:\d+ -> "
                         r"127\.0\.0\.1:%d: TCP_KEEPIDLE 2h -> 30s\n\Z" % (self.p.pid, self.tcp, own,
                                                                       self.port))
        seen = peek(self.p.pid, "TCP_KEEPIDLE")
        self.assertEqual(seen.pop(self.tcp), "30")
        # The accepted end and the listeners have PORT as their local port, or none: untouched.
        self.assertEqual(set(seen.values()), {"7200", "-"}, seen)

    def test_set_accepts_an_interface_of_the_targets_namespace(self):
        r = sockopt("set", "%d:%d" % (self.p.pid, self.udp), "IP_ADD_MEMBERSHIP=239.1.2.3@" + IFACE)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open("/proc/%d/net/igmp" % self.p.pid) as f:
            igmp = f.read()
        self.assertRegex(igmp, r"\d+\s+%s\s" % IFACE)
        self.assertIn("030201EF", igmp)  # 239.1.2.3, as the kernel prints it

    def test_set_refuses_an_interface_only_sockopt_has(self):
        name = our_only_interface()
        if not name:
            self.skipTest("this namespace has no interface but lo")
        r = sockopt("set", "%d:%d" % (self.p.pid, self.udp), "IP_ADD_MEMBERSHIP=239.1.2.4@" + name)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("interface", r.stderr)
        with open("/proc/%d/net/igmp" % self.p.pid) as f:
            self.assertNotIn("040201EF", f.read())

    def test_the_readback_names_the_namespace_default(self):
        r = sockopt("set", "%d:%d" % (self.p.pid, self.tcp), "IP_TTL=-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("net.ipv4.ip_default_ttl = 99", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""test_show_bpf.py: `sockopt show --backend bpf` agrees with the pidfd path.

Real programs (python3, socat, redis-server) hold TCP, UDP and unix sockets
with options they set themselves; both backends read them and must agree
value for value on every option both read, and every option the pidfd path
reads that BPF does not is named in the socket's "not_read".  TIME_WAIT sockets, which no process holds, appear
through BPF with their remaining time.  The iterators are loaded once and
pinned in a test-only root-only directory (removed at the end), so the second
run loads nothing.  An unprivileged caller is told why it gets the pidfd path.
Needs root (CI runs as root); elsewhere it says so and passes nothing off as checked.
"""
import ctypes
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pyutil import free_port  # noqa: E402

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
PYTHON = sys.executable
PIN_DIR = "/sys/fs/bpf/sockopt-test-%d" % os.getpid()
ENV = dict(os.environ, SOCKOPT_BPF_PIN_DIR=PIN_DIR, SOCKOPT_BPF_REPORT="1")

# A python3 program that sets options on a client socket and sleeps.
CLIENT = r"""
import socket, struct, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 4)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 5))
c.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 33)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 2, 500000))
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_LINGER2, 9)
c.setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 3)
print("ready", flush=True)
time.sleep(600)
"""


# A python3 program holding UDP and unix sockets of every sort, with options set and data queued.
UDP_UNIX = r"""
import os, socket, struct, sys, time
d = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
u.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 33)
u.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x28)
u.setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 3)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
u.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 7)
u.setsockopt(socket.IPPROTO_IP, 11, 1)  # IP_RECVERR, which the socket module does not name
u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
# IP_RECVOPTS, IP_RETOPTS, IP_PASSSEC, IP_RECVORIGDSTADDR, IP_CHECKSUM, IP_RECVERR_RFC4884 (flags BPF reads from
# inet_flags) on; IP_RECVFRAGSIZE (25) too where the kernel takes it, on datagram sockets.
IPFLAGS = [(6, 1), (7, 1), (18, 1), (20, 1), (23, 1), (26, 1)]
for name, value in IPFLAGS + [(25, 1)]:
    u.setsockopt(socket.IPPROTO_IP, name, value)
u.bind(("127.0.0.1", 0))
peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
peer.bind(("127.0.0.1", 0))
u.connect(peer.getsockname())
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x20)
u6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
u6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
u6.bind(("::1", 0))
# IPv6 options BPF reads from fields, each away from its default; TCP refuses the multicast ones.
V6 = [(16, 7), (23, 2), (73, 3), (76, 0x01000000), (19, 0), (29, 0), (25, 1), (31, 1), (62, 1),
      (33, 1), (30, 1), (78, 1), (75, 1), (49, 1), (2, 1), (51, 1), (8, 1), (56, 1), (5, 1),
      (53, 1), (3, 1), (58, 1), (4, 1), (66, 1), (11, 1), (60, 1), (74, 1), (77, 1), (70, 0)]
for name, value in V6 + [(17, 1), (18, 5)]:
    u6.setsockopt(socket.IPPROTO_IPV6, name, value)
t6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
for name, value in V6:
    t6.setsockopt(socket.IPPROTO_IPV6, name, value)
for name, value in IPFLAGS:
    t6.setsockopt(socket.IPPROTO_IP, name, value)
# TCP options the TCP program reads from fields instead of bpf_getsockopt, each away from its default.
for name, value in [(socket.TCP_NODELAY, 1), (socket.TCP_KEEPIDLE, 33), (socket.TCP_KEEPINTVL, 7),
                    (socket.TCP_KEEPCNT, 3), (socket.TCP_SYNCNT, 2), (socket.TCP_WINDOW_CLAMP, 5000),
                    (16, 1), (socket.TCP_USER_TIMEOUT, 1234), (25, 4096), (27, 1),
                    (socket.TCP_MAXSEG, 1000), (44, 5000), (45, 50000)]:
    # 16, 25, 27, 44, 45: THIN_LINEAR_TIMEOUTS, NOTSENT_LOWAT, SAVE_SYN, RTO_MAX_MS, RTO_MIN_US
    t6.setsockopt(socket.IPPROTO_TCP, name, value)
t6.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"reno")
t6.setsockopt(socket.SOL_SOCKET, 74, 0)  # SO_TXREHASH
# TCP_FASTOPEN, _CONNECT, _NO_COOKIE, TCP_INQ, TCP_TX_DELAY, TCP_DELACK_MAX_US; SO_MAX_PACING_RATE,
# SO_TXTIME (CLOCK_TAI, report errors), SO_TIMESTAMPING, IP_LOCAL_PORT_RANGE (50000-60000).
for level, name, value in [(socket.IPPROTO_TCP, 23, 5), (socket.IPPROTO_TCP, 30, 1), (socket.IPPROTO_TCP, 34, 1),
                           (socket.IPPROTO_TCP, 36, 1), (socket.IPPROTO_TCP, 37, 100),
                           (socket.IPPROTO_TCP, 46, 100000), (socket.SOL_SOCKET, 47, 1000000),
                           (socket.SOL_SOCKET, 61, struct.pack("ii", 11, 2)), (socket.SOL_SOCKET, 37, 0x18),
                           (socket.IPPROTO_IP, 51, struct.pack("I", 60000 << 16 | 50000))]:
    t6.setsockopt(level, name, value)
t6.bind(("::1", 0))
t6.listen()
lis = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
lis.bind(os.path.join(d, "sock-ÿþ").encode("latin-1"))
lis.listen()
cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cli.connect(lis.getsockname())
acc, _ = lis.accept()
cli.sendall(b"x" * 1000)
cli.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 50000)
ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ab.bind(b"\0sockopt-test\0%d" % os.getpid())
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dg.connect(ab.getsockname())
dg.send(b"y" * 300)
sp = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
print("ready", flush=True)
time.sleep(600)
"""


def sockopt(*args, env=ENV, user=None):
    argv = [SOCKOPT, *args]
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)



def options_by_socket(pid, backend):
    """{fd: {option name: value text}} for the TCP sockets of PID read through BACKEND."""
    r = sockopt("show", "--tcp", "--all", "--json", "--backend", backend, str(pid))
    assert r.returncode == 0, r.stderr
    sockets = json.loads(r.stdout)["sockets"]
    for s in sockets:
        assert s["backend"] == backend, s
    return {s["fd"]: {o["name"]: o["text"] for o in s["options"]} for s in sockets}


UNIX_KINDS = ("unix", "unix-dgram", "unix-seqpacket")


def show_json(pid, backend, *args):
    """The sockets of PID (every one, every option) read through BACKEND, by fd.

    The kernel's unix iterator resumes each read() by an offset in a hash
    bucket and misses sockets there (Linux 6.18); sockopt reads those
    through pidfd_getfd (their "backend" says so).  So a BPF reading takes,
    for each fd, the first of up to five runs in which the iterators met it.
    """
    sockets = {}
    for _ in range(5 if backend == "bpf" else 1):
        r = sockopt("show", "--all", "--json", "--backend", backend, *args, str(pid))
        assert r.returncode == 0, r.stderr
        for s in json.loads(r.stdout)["sockets"]:
            if s["fd"] not in sockets or sockets[s["fd"]]["backend"] != backend:
                sockets[s["fd"]] = s
        if all(s["backend"] == backend or s["kind"] in ("netlink", "raw") for s in sockets.values()):
            break
    return sockets


def check_backends(test, sockets, each_kind=True):
    """Every socket read through BPF, but unix ones the unix iterator missed; with EACH_KIND, of each unix kind at least one."""
    for s in sockets.values():
        if s["kind"] not in UNIX_KINDS + ("netlink",):
            test.assertEqual(s["backend"], "bpf", s)
    for kind in UNIX_KINDS if each_kind else ():
        mine = [s["backend"] for s in sockets.values() if s["kind"] == kind]
        if mine:
            test.assertIn("bpf", mine, kind)


def read_in_process(pid, fd, level, name):
    """An int option of fd FD of process PID, read here through pidfd_getfd (not by sockopt)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        mine = libc.syscall(438, pidfd, fd, 0)  # pidfd_getfd
        assert mine >= 0, os.strerror(ctypes.get_errno())
        with socket.socket(fileno=mine) as s:
            return s.getsockopt(level, name)
    finally:
        os.close(pidfd)


def tcp_fds(pid, port, end):
    """The fds of PID whose local (END 0) or peer (END 1) port is PORT, read through pidfd_getfd."""
    fds = []
    for name in os.listdir("/proc/%d/fd" % pid):
        try:
            mine = os.readlink("/proc/%d/fd/%s" % (pid, name))
        except OSError:
            continue
        if not mine.startswith("socket:"):
            continue
        libc = ctypes.CDLL(None, use_errno=True)
        pidfd = os.pidfd_open(pid)
        dup = libc.syscall(438, pidfd, int(name), 0)
        os.close(pidfd)
        if dup < 0:
            continue
        with socket.socket(fileno=dup) as s:
            try:
                ends = (s.getsockname(), s.getpeername())
            except OSError:
                continue
            if s.type == socket.SOCK_STREAM and ends[end][1] == port:
                fds.append(int(name))
    return sorted(fds)


def wait_listening(port):
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on port %d" % port)


# A python3 program holding 200 loopback TCP connections (both ends): other sockets on the machine.
DUP = r"""
import os, socket, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
again = os.dup(l.fileno())
c = socket.create_connection(l.getsockname())
a, _ = l.accept()
print("ready", flush=True)
time.sleep(600)
"""

CROWD = r"""
import socket, time
lis = socket.socket()
lis.bind(("127.0.0.1", 0))
lis.listen(256)
keep = []
for _ in range(200):
    keep.append(socket.create_connection(lis.getsockname()))
    keep.append(lis.accept()[0])
    keep.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    keep[-1].bind(("127.0.0.1", 0))
print("ready", flush=True)
time.sleep(600)
"""


def bpftool(*args):
    r = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (args, r.stderr)
    return json.loads(r.stdout) if r.stdout.strip() else None


def wanted_map(link_path):
    """The id of the map "wanted" (narrow.h) of the program behind the pinned iterator link."""
    prog = bpftool("link", "show", "pinned", link_path)["prog_id"]
    for map_id in bpftool("prog", "show", "id", str(prog))["map_ids"]:
        if bpftool("map", "show", "id", str(map_id))["name"] == "wanted":
            return str(map_id)
    raise AssertionError("no map wanted behind " + link_path)


def bpf_syscall(cmd, attr):
    libc = ctypes.CDLL(None, use_errno=True)
    r = libc.syscall(321, cmd, ctypes.byref(attr), ctypes.sizeof(attr))  # bpf(2), x86-64
    assert r >= 0, os.strerror(ctypes.get_errno())
    return r


class MapGetFdById(ctypes.Structure):
    _fields_ = [("map_id", ctypes.c_uint32), ("next_id", ctypes.c_uint32), ("open_flags", ctypes.c_uint32)]


class MapUpdateElem(ctypes.Structure):
    _fields_ = [("map_fd", ctypes.c_uint32), ("pad", ctypes.c_uint32), ("key", ctypes.c_uint64),
                ("value", ctypes.c_uint64), ("flags", ctypes.c_uint64)]


def set_wanted(map_id, pid, inodes):
    """What sockopt stores for itself (struct iter_wanted, a bitmap of INODES) in the task storage of PID instead."""
    bits = bytearray(1 << 15)
    for inode in inodes:
        bit = ((inode * 0x9E3779B97F4A7C15) % (1 << 64)) >> 46
        bits[bit // 8] |= 1 << (bit % 8)
    map_fd = bpf_syscall(14, MapGetFdById(int(map_id), 0, 0))  # BPF_MAP_GET_FD_BY_ID
    pidfd = os.pidfd_open(pid)
    key, value = ctypes.c_int(pidfd), ctypes.create_string_buffer(bytes(bits), len(bits))
    try:
        bpf_syscall(2, MapUpdateElem(map_fd, 0, ctypes.addressof(key), ctypes.addressof(value), 0))
    finally:
        os.close(pidfd)
        os.close(map_fd)


def read_iterator(link_path, before):
    """What a cat of the pinned iterator reads, BEFORE(its pid) called first (cat is exec'd in place of sh)."""
    p = subprocess.Popen(["sh", "-c", 'read x; exec cat "$0"', link_path], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    before(p.pid)
    out, _ = p.communicate(b"go\n", timeout=60)
    assert p.returncode == 0
    return out


@unittest.skipUnless(os.geteuid() == 0 and os.path.exists("/sys/kernel/btf/vmlinux"),
                     "the BPF backend needs root and kernel BTF")
class BpfShow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.children = []
        with open("/proc/self/mountinfo") as f:
            if not any(" - bpf " in line for line in f):
                subprocess.run(["mount", "-t", "bpf", "bpf", "/sys/fs/bpf"], check=True)
        rport, sport = free_port(), free_port()
        cls.redis = cls.start(["redis-server", "--port", str(rport), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--tcp-keepalive", "45"])
        wait_listening(rport)
        cls.socat = cls.start(["socat", "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,"
                               "keepalive,keepidle=31,nodelay" % sport, "EXEC:cat"])
        wait_listening(sport)
        cls.clients = [cls.start([PYTHON, "-c", CLIENT, str(p)], ready=True) for p in (rport, sport)]
        cls.redis_port = rport

    @classmethod
    def start(cls, argv, ready=False):
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        cls.children.append(p)
        if ready:
            assert p.stdout.readline().strip() == "ready"
        return p

    @classmethod
    def tearDownClass(cls):
        for p in cls.children:
            p.kill()
            p.wait()
        shutil.rmtree(PIN_DIR, ignore_errors=True)

    def test_1_cold_then_warm(self):
        """The first run loads and pins, root-only, the one program that reads a process's fds and their TCP sockets; the next loads none."""
        shutil.rmtree(PIN_DIR, ignore_errors=True)
        first = sockopt("show", "--tcp", "--backend", "bpf", str(self.redis.pid))
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("loaded this run: 1;", first.stderr)
        self.assertEqual(os.stat(PIN_DIR).st_mode & 0o777, 0o700)
        self.assertEqual(sorted(n.split("-")[0] for n in os.listdir(PIN_DIR)), ["tcp_fds"])
        second = sockopt("show", "--tcp", "--backend", "bpf", str(self.redis.pid))
        self.assertIn("loaded this run: 0", second.stderr)
        strip = lambda out: [line.split("timer:(")[0] for line in out.splitlines()]
        self.assertEqual(strip(first.stdout), strip(second.stdout))

    def test_only_the_kinds_a_process_holds(self):
        """show PID asks every kind by default, but loads and reads only the iterators of the kinds the process holds."""
        tcp_only = self.start([PYTHON, "-c", "import socket, time\nl = socket.socket()\nl.bind(('127.0.0.1', 0))\n"
                               "l.listen()\nprint('ready', flush=True)\ntime.sleep(600)"], ready=True)
        pins = PIN_DIR + "-kinds"
        env = dict(ENV, SOCKOPT_BPF_PIN_DIR=pins)
        try:
            r = sockopt("show", "--json", str(tcp_only.pid), env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("loaded this run: 1;", r.stderr)
            self.assertEqual(sorted(n.split("-")[0] for n in os.listdir(pins)), ["tcp_fds"])
            self.assertEqual([s["backend"] for s in json.loads(r.stdout)["sockets"]], ["bpf"])
        finally:
            shutil.rmtree(pins, ignore_errors=True)

    def test_one_socket_at_two_fds(self):
        """A listener the process holds at two fds (dup) is one entry with both fds as users, through BPF as through pidfd."""
        holder = self.start([PYTHON, "-c", DUP], ready=True)
        seen = {}
        for backend in ("bpf", "pidfd"):
            r = sockopt("show", "--tcp", "--json", "--backend", backend, str(holder.pid))
            self.assertEqual(r.returncode, 0, r.stderr)
            socks = json.loads(r.stdout)["sockets"]
            self.assertEqual([s["backend"] for s in socks], [backend] * 3)
            seen[backend] = sorted((s["state"], sorted(u["fd"] for u in s["users"])) for s in socks)
        self.assertEqual(seen["bpf"], seen["pidfd"])
        self.assertEqual([len(fds) for state, fds in seen["bpf"] if state == "LISTEN"], [2])

    def test_agreement(self):
        """Every option both backends read has the same value on every socket of every program."""
        compared = 0
        for p in [self.redis, self.socat, *self.clients]:
            pidfd, bpf = options_by_socket(p.pid, "pidfd"), options_by_socket(p.pid, "bpf")
            self.assertEqual(sorted(pidfd), sorted(bpf), "the same TCP fds of %d" % p.pid)
            for fd in pidfd:
                both = set(pidfd[fd]) & set(bpf[fd])
                self.assertGreaterEqual(len(bpf[fd]), 36, (p.args[0], fd, sorted(bpf[fd])))
                for name in both:
                    self.assertEqual(pidfd[fd][name], bpf[fd][name], (p.args[0], fd, name))
                compared += len(both)
        self.assertGreater(compared, 100)

    def test_values_set_by_the_client(self):
        """The options the python3 client set show through BPF as it set them."""
        bpf = options_by_socket(self.clients[0].pid, "bpf")
        (opts,) = [o for o in bpf.values() if o.get("TCP_KEEPIDLE") == "77s"]
        for name, text in [("SO_KEEPALIVE", "on"), ("TCP_KEEPCNT", "4"), ("IP_TTL", "33"),
                           ("TCP_CORK", "on"), ("TCP_LINGER2", "9s"), ("SO_PRIORITY", "3")]:
            self.assertEqual(opts.get(name), text, name)
        self.assertIn("5", opts["SO_LINGER"])
        self.assertEqual(opts["SO_RCVTIMEO"], "2500ms")

    def test_time_wait(self):
        """A TIME_WAIT socket, held by no process, appears with its remaining time."""
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        c = socket.create_connection(srv.getsockname())
        a, _ = srv.accept()
        port, server_port = c.getsockname()[1], srv.getsockname()[1]
        c.close()  # the active closer goes to TIME_WAIT once the peer closes too
        a.close()
        srv.close()
        time.sleep(0.2)
        r = sockopt("show", "--tcp", "--json", "--state", "time-wait", "--backend", "bpf")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Another process's TIME_WAIT socket may have the same local port towards another peer.
        mine = [s for s in json.loads(r.stdout)["sockets"]
                if (s["local"], s["peer"]) == ("127.0.0.1:%d" % port, "127.0.0.1:%d" % server_port)]
        self.assertEqual(len(mine), 1, r.stdout[:2000])
        s = mine[0]
        self.assertEqual(s["state"], "TIME-WAIT")
        self.assertEqual(s["pid"], 0)
        self.assertEqual(s["timer"]["name"], "timewait")
        self.assertTrue(0 < s["timer"]["ms"] <= 60000, s["timer"])

    def test_unprivileged_gets_pidfd(self):
        """nobody cannot load programs: auto reads through pidfd and says why under --verbose."""
        r = sockopt("show", "--tcp", "--verbose", "--json", "1", user="nobody")
        self.assertIn("reading sockets through pidfd_getfd: loading BPF programs needs root", r.stderr)
        r = sockopt("show", "--tcp", "--backend", "bpf", "1", user="nobody")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")

    def test_set_match_redis_client(self):
        """set --match 'dport = PORT and pid = CLIENT' changes every socket of a redis client, read back by pidfd_getfd."""
        client = self.start([PYTHON, "-c", "import socket, sys, time\n"
                             "s = [socket.create_connection(('127.0.0.1', %d)) for _ in range(3)]\n"
                             "print('ready', flush=True)\ntime.sleep(600)" % self.redis_port],
                            ready=True)
        fds = tcp_fds(client.pid, self.redis_port, 1)
        self.assertEqual(len(fds), 3)
        filt = "dport = %d and pid = %d" % (self.redis_port, client.pid)
        dry = sockopt("set", "--match", filt, "TCP_KEEPIDLE=30", "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertEqual(dry.stdout.count("pid %d " % client.pid), 3, dry.stdout)
        for fd in fds:
            self.assertEqual(read_in_process(client.pid, fd, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 7200)
        r = sockopt("set", "--match", filt, "TCP_KEEPIDLE=30", "TCP_KEEPCNT=3")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = r.stdout.splitlines()
        self.assertEqual(len(mine), 3, r.stdout)
        for line in mine:
            self.assertTrue(line.endswith("TCP_KEEPIDLE 2h -> 30s TCP_KEEPCNT 9 -> 3"), line)
        for fd in fds:
            self.assertEqual(read_in_process(client.pid, fd, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 30)
            self.assertEqual(read_in_process(client.pid, fd, socket.IPPROTO_TCP, socket.TCP_KEEPCNT), 3)
        # redis-server's own end of these connections has the port as its local one: not matched.
        for fd in tcp_fds(self.redis.pid, self.redis_port, 0):
            self.assertNotEqual(read_in_process(self.redis.pid, fd, socket.IPPROTO_TCP, socket.TCP_KEEPIDLE), 30)

    def test_set_match_refusals(self):
        """Options outside bpf_setsockopt's allow-list and bad filters: exit 2, one line, nothing changed."""
        for args in (["--match", "dport = 1", "SO_LINGER=on:5"], ["--match", "dport ~ 1", "TCP_NODELAY=1"],
                     ["--match", "dport = 1", "TCP_NODELAY=maybe"]):
            r = sockopt("set", *args)
            self.assertEqual((r.returncode, r.stdout), (2, ""), args)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)

    def test_other_network_namespace(self):
        """A socket in a network namespace the test makes appears, labelled with its namespace."""
        child = self.start(["unshare", "-n", "sh", "-c", "ip link set lo up && exec " + PYTHON +
                            " -c \"import socket, time\n"
                            "s = socket.socket(); s.bind(('127.0.0.1', 4321)); s.listen()\n"
                            "print('ready', flush=True); time.sleep(600)\""], ready=True)
        theirs = os.stat("/proc/%d/ns/net" % child.pid).st_ino
        self.assertNotEqual(theirs, os.stat("/proc/self/ns/net").st_ino)
        r = sockopt("show", "--tcp", "--json", "--listening", "--backend", "bpf")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = [s for s in json.loads(r.stdout)["sockets"] if s["pid"] == child.pid]
        self.assertEqual(len(mine), 1, r.stdout[:3000])
        self.assertEqual((mine[0]["netns"], mine[0]["local"]), (theirs, "127.0.0.1:4321"))
        text = sockopt("show", "--tcp", "--backend", "bpf", str(child.pid)).stdout
        self.assertIn("netns=%d" % theirs, text)

    def test_named_fds_the_pass_does_not_deliver(self):
        """PID:FD that is no TCP socket: a UDP socket is read through pidfd, a pipe is one error line."""
        holder = self.start([PYTHON, "-c", "import os, socket, time\n"
                             "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                             "r, w = os.pipe()\n"
                             "print(u.fileno(), r, flush=True)\n"
                             "time.sleep(600)\n"])
        udp, pipe = holder.stdout.readline().split()
        quiet = {k: v for k, v in ENV.items() if k != "SOCKOPT_BPF_REPORT"}
        r = sockopt("show", "--tcp", "--backend", "bpf", "%d:%s" % (holder.pid, pipe), env=quiet)
        self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
        self.assertRegex(r.stderr, r"^sockopt: fd %s of process %d \(python3\) is not a socket; it is pipe:"
                         % (pipe, holder.pid))
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        r = sockopt("show", "--tcp", "--backend", "bpf", "--json", "%d:%s" % (holder.pid, udp))
        self.assertEqual(r.returncode, 0, r.stderr)
        [sock] = json.loads(r.stdout)["sockets"]
        self.assertEqual((sock["fd"], sock["kind"], sock["backend"], sock["comm"]),
                         (int(udp), "udp", "pidfd", "python3"), sock)

    def udp_unix_holder(self):
        scratch = "/tmp/sockopt-test-bpf-%d" % os.getpid()
        os.makedirs(scratch, exist_ok=True)
        self.addCleanup(shutil.rmtree, scratch, True)
        return self.start([PYTHON, "-c", UDP_UNIX, scratch], ready=True)

    def test_udp_unix_agreement(self):
        """UDP and unix sockets of python3 and socat: the same sockets, fields and values through both backends."""
        port = free_port()
        socat = self.start(["socat", "-u", "UDP4-RECV:%d,bind=127.0.0.1,rcvbuf=70000,ttl=44,tos=16,"
                            "priority=5,broadcast" % port, "OPEN:/dev/null"])
        abstract = "sockopt-test-socat-%d" % os.getpid()
        unix = self.start(["socat", "ABSTRACT-LISTEN:%s,fork,sndbuf=90000" % abstract, "EXEC:cat"])
        holder = self.udp_unix_holder()
        time.sleep(0.3)  # socat binds after it starts
        compared = 0
        for p, kinds in [(holder, ("--udp", "--unix")), (socat, ("--udp",)), (unix, ("--unix",))]:
            pidfd, bpf = show_json(p.pid, "pidfd", *kinds), show_json(p.pid, "bpf", *kinds)
            r = sockopt("show", "--all", "--json", "--backend", "bpf", *kinds, str(p.pid))
            names = json.loads(r.stdout).get("not_read", {})
            self.assertEqual(sorted(pidfd), sorted(bpf), p.args)
            self.assertTrue(pidfd, p.args)
            # socat holds one unix socket: the iterator may miss that one in every run.
            check_backends(self, bpf, each_kind=p is holder)
            for fd, ours in bpf.items():
                theirs = pidfd[fd]
                if ours["backend"] != "bpf":
                    continue
                self.assertEqual(theirs["backend"], "pidfd")
                for key in ("inode", "family", "type", "protocol", "kind", "state", "local",
                            "peer", "send_q"):
                    self.assertEqual(ours[key], theirs[key], (p.args[0], fd, key))
                # SIOCINQ (pidfd) is the first datagram's length; BPF gives ss's bytes held.
                if not ours["kind"].startswith("udp"):
                    self.assertEqual(ours["recv_q"], theirs["recv_q"], (p.args[0], fd))
                mine = {o["name"]: o["text"] for o in ours["options"]}
                other = {o["name"]: o["text"] for o in theirs["options"]}
                self.assertGreaterEqual(len(mine), 40, (p.args[0], fd, ours["kind"]))
                for name in set(mine) & set(other):
                    self.assertEqual(mine[name], other[name], (p.args[0], fd, name))
                    compared += 1
                # Nothing pidfd reads is missing from BPF without being counted in the socket's
                # not_read and named in the run's per-kind list (which may also name options
                # pidfd tried and the kernel refused: IP_MTU on an unconnected socket).
                missing = set(other) - set(mine)
                self.assertLessEqual(len(missing), ours.get("not_read", 0), (p.args[0], fd))
                self.assertLessEqual(missing, set(names.get(ours["kind"], [])), (p.args[0], fd))
        self.assertGreater(compared, 300)

    def test_udp_unix_values(self):
        """The options python3 set on UDP and unix sockets show through BPF as it set them; names and queues as the kernel holds them."""
        holder = self.udp_unix_holder()
        bpf = show_json(holder.pid, "bpf", "--udp", "--unix")
        opts = {fd: {o["name"]: o["text"] for o in s["options"]} for fd, s in bpf.items()}
        (udp,) = [fd for fd, s in bpf.items() if s["kind"] == "udp" and s["peer"]]
        for name, text in [("SO_RCVBUF", "131072"), ("IP_TTL", "33"), ("SO_PRIORITY", "3"),
                           ("SO_BROADCAST", "on"), ("SO_MARK", "7"), ("IP_RECVERR", "on")]:
            self.assertEqual(opts[udp].get(name), text, name)
        self.assertEqual(bpf[udp]["state"], "ESTABLISHED")
        (udp6,) = [fd for fd, s in bpf.items() if s["kind"] == "udp6"]
        # Binding to an IPv6 address that is not v4-mapped sets IPV6_V6ONLY (__inet6_bind), whatever was set.
        self.assertEqual((opts[udp6]["IPV6_V6ONLY"], opts[udp6]["SO_REUSEADDR"]), ("on", "on"))
        named = [s for s in bpf.values() if s["kind"] == "unix" and s["local"] and "sock-" in s["local"]]
        self.assertEqual(len(named), 2, bpf)  # the listener and the accepted socket
        # A non-UTF-8 path keeps its bytes, escaped as the JSON printer escapes them.
        pidfd = show_json(holder.pid, "pidfd", "--unix")
        for s in named:
            self.assertEqual(s["local"], pidfd[s["fd"]]["local"])
            self.assertNotEqual(s["local"].encode("utf-8", "surrogatepass").find(b"sock-"), -1)
        (client,) = [s for s in bpf.values() if s["kind"] == "unix" and s["peer"] and "sock-" in s["peer"]]
        self.assertEqual(opts[client["fd"]]["SO_PASSCRED"], "on")
        (accepted,) = [s for s in named if s["state"] == "ESTABLISHED"]
        self.assertEqual(accepted["recv_q"], 1000)
        (dgram,) = [s for s in bpf.values() if s["kind"] == "unix-dgram" and s["peer"]]
        self.assertTrue(dgram["peer"].startswith("@sockopt-test"), dgram["peer"])
        self.assertEqual(dgram["peer"], pidfd[dgram["fd"]]["peer"])
        (abstract,) = [s for s in bpf.values() if s["kind"] == "unix-dgram" and s["local"]
                       and s["local"].startswith("@")]
        self.assertEqual(abstract["recv_q"], 300)
        self.assertEqual(sum(s["kind"] == "unix-seqpacket" for s in bpf.values()), 2)

    def test_ip_options_from_fields(self):
        """The IP, IPv6 and TCP options python3 set away from their defaults on udp, udp6 and tcp6 sockets: read through BPF from fields, as pidfd reads them."""
        holder = self.udp_unix_holder()
        pidfd, bpf = show_json(holder.pid, "pidfd", "--tcp", "--udp"), show_json(holder.pid, "bpf", "--tcp", "--udp")
        v6 = ["IPV6_UNICAST_HOPS", "IPV6_MTU_DISCOVER", "IPV6_MINHOPCOUNT", "IPV6_UNICAST_IF",
              "IPV6_MULTICAST_LOOP", "IPV6_MULTICAST_ALL", "IPV6_RECVERR", "IPV6_RECVERR_RFC4884",
              "IPV6_DONTFRAG", "IPV6_FLOWINFO_SEND", "IPV6_ROUTER_ALERT_ISOLATE", "IPV6_FREEBIND",
              "IPV6_TRANSPARENT", "IPV6_RECVPKTINFO", "IPV6_2292PKTINFO", "IPV6_RECVHOPLIMIT",
              "IPV6_2292HOPLIMIT", "IPV6_RECVRTHDR", "IPV6_2292RTHDR", "IPV6_RECVHOPOPTS",
              "IPV6_2292HOPOPTS", "IPV6_RECVDSTOPTS", "IPV6_2292DSTOPTS", "IPV6_RECVTCLASS",
              "IPV6_FLOWINFO", "IPV6_RECVPATHMTU", "IPV6_ORIGDSTADDR", "IPV6_RECVFRAGSIZE",
              "IPV6_AUTOFLOWLABEL"]
        ip = ["IP_RECVOPTS", "IP_RETOPTS", "IP_PASSSEC", "IP_ORIGDSTADDR", "IP_CHECKSUM", "IP_RECVERR_RFC4884"]
        tcp = ["TCP_NODELAY", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_SYNCNT", "TCP_WINDOW_CLAMP",
               "TCP_THIN_LINEAR_TIMEOUTS", "TCP_USER_TIMEOUT", "TCP_NOTSENT_LOWAT", "TCP_SAVE_SYN",
               "TCP_MAXSEG", "TCP_RTO_MAX_MS", "TCP_RTO_MIN_US", "TCP_CONGESTION", "SO_TXREHASH",
               "TCP_FASTOPEN", "TCP_FASTOPEN_CONNECT", "TCP_FASTOPEN_NO_COOKIE", "TCP_INQ", "TCP_TX_DELAY",
               "TCP_DELACK_MAX_US", "SO_MAX_PACING_RATE", "SO_TXTIME", "SO_TIMESTAMPING", "IP_LOCAL_PORT_RANGE"]
        for kind, names in [("udp", ip + ["IP_RECVFRAGSIZE", "IP_MULTICAST_IF"]),
                            ("udp6", v6 + ["IPV6_MULTICAST_IF", "IPV6_MULTICAST_HOPS"]), ("tcp6", v6 + ip + tcp)]:
            (fd,) = [fd for fd, s in bpf.items() if s["kind"] == kind and (kind != "udp" or s["peer"])]
            self.assertEqual(bpf[fd]["backend"], "bpf")
            ours = {o["name"]: o for o in bpf[fd]["options"]}
            theirs = {o["name"]: o for o in pidfd[fd]["options"]}
            for name in names:
                self.assertIn(name, ours, (kind, name))
                self.assertEqual(ours[name]["text"], theirs[name]["text"], (kind, name))
                # Each was set away from its default, so the default view shows it.
                self.assertFalse(ours[name].get("default", False), (kind, name, ours[name]))

    def test_other_sockets_through_pidfd(self):
        """A netlink socket, which no iterator reads, is shown through pidfd in a BPF run; --complete rereads the rest."""
        holder = self.udp_unix_holder()
        every = show_json(holder.pid, "bpf")
        (netlink,) = [s for s in every.values() if s["kind"] == "netlink"]
        self.assertEqual(netlink["backend"], "pidfd")
        check_backends(self, every)
        self.assertEqual(sorted(every), sorted(show_json(holder.pid, "pidfd")))
        complete = show_json(holder.pid, "bpf", "--complete")
        self.assertEqual({s["backend"] for s in complete.values()}, {"pidfd"})
        self.assertFalse([s for s in complete.values() if s.get("not_read")])
        text = sockopt("show", "--udp", "--backend", "bpf", str(holder.pid)).stdout
        self.assertIn("not-read=", text)
        # An fd named on the command line that is no socket is said so, as through pidfd.
        for backend in ("bpf", "pidfd"):
            quiet = {k: v for k, v in ENV.items() if k != "SOCKOPT_BPF_REPORT"}
            r = sockopt("show", "--backend", backend, "%d:0" % holder.pid, env=quiet)
            self.assertEqual(r.returncode, 1, backend)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertIn("fd 0 of process %d" % holder.pid, r.stderr)

    def test_udp_unix_whole_machine(self):
        """Without a PID, auto takes BPF for --udp --unix and finds the holder's sockets among the machine's."""
        holder = self.udp_unix_holder()
        r = sockopt("show", "--udp", "--unix", "--json", "--verbose")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = {s["fd"]: s for s in json.loads(r.stdout)["sockets"] if s["pid"] == holder.pid}
        self.assertEqual(sorted(mine), sorted(show_json(holder.pid, "pidfd", "--udp", "--unix")))
        for s in mine.values():  # UDP through its iterator; unix too, or pidfd where it missed one
            self.assertEqual(s["backend"], "bpf" if s["kind"].startswith("udp") else s["backend"])
            self.assertIn(s["backend"], ("bpf", "pidfd"))

    def test_auto_takes_bpf_for_every_kind(self):
        """With no kind asked for, auto reads through BPF, and what no iterator reads through pidfd in the same run."""
        holder = self.udp_unix_holder()
        r = sockopt("show", "--json", "--verbose", str(holder.pid))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("reading sockets through pidfd_getfd", r.stderr)
        every = {s["fd"]: s for s in json.loads(r.stdout)["sockets"]}
        self.assertEqual(sorted(every), sorted(show_json(holder.pid, "pidfd")))
        self.assertEqual({s["backend"] for s in every.values() if s["kind"].startswith("udp")},
                         {"bpf"})
        self.assertEqual({s["backend"] for s in every.values() if s["kind"] == "netlink"},
                         {"pidfd"})

    def test_side_effects_take_pidfd(self):
        """--side-effects asks for options no iterator reads: auto takes pidfd and says why; bpf is refused."""
        holder = self.udp_unix_holder()
        r = sockopt("show", "--json", "--verbose", "--side-effects", "--udp", str(holder.pid))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("reading sockets through pidfd_getfd: --side-effects asks for SO_ERROR", r.stderr)
        self.assertEqual({s["backend"] for s in json.loads(r.stdout)["sockets"]}, {"pidfd"})
        r = sockopt("show", "--backend", "bpf", "--side-effects", str(holder.pid))
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)

    def test_one_pid_narrows_the_iterators(self):
        """show PID names its sockets to the pinned iterators, which skip the others in the kernel for that reader only; its TCP sockets come through its own fds."""
        crowd = self.start([PYTHON, "-c", CROWD], ready=True)
        client = self.clients[0]
        pidfd, bpf = options_by_socket(client.pid, "pidfd"), options_by_socket(client.pid, "bpf")
        self.assertEqual(sorted(pidfd), sorted(bpf))
        self.assertEqual(options_by_socket(crowd.pid, "bpf").keys(), options_by_socket(crowd.pid, "pidfd").keys())
        # The TCP sockets of one process are read through its fds: exactly its own records, none of the crowd's.
        run = sockopt("show", "--tcp", "--backend", "bpf", str(client.pid))
        self.assertEqual(run.returncode, 0)
        self.assertEqual(int(re.search(r"socket records read: (\d+)", run.stderr).group(1)), len(bpf))
        # The whole machine is read through the TCP iterator, which pins it.
        self.assertEqual(sockopt("show", "--tcp", "--backend", "bpf").returncode, 0)
        link = os.path.join(PIN_DIR, [n for n in os.listdir(PIN_DIR) if n.startswith("tcp-")][0])
        wanted = wanted_map(link)
        inode = os.stat("/proc/%d/fd/%d" % (client.pid, sorted(bpf)[0])).st_ino
        full = read_iterator(link, lambda pid: None)
        # A reader that named one socket gets that socket's record and (nearly) nothing else.
        mine = read_iterator(link, lambda pid: set_wanted(wanted, pid, [inode]))
        self.assertIn(struct.pack("<Q", inode), mine)
        self.assertGreater(len(full), 400 * len(mine) // 3, "400 crowd sockets and more against 1 (or 2 sharing its bit)")
        # A run of show PID narrows the thread that reads for it: the crowd's 200 UDP sockets never reach it.
        holder = self.udp_unix_holder()
        run = sockopt("show", "--udp", "--backend", "bpf", str(holder.pid))
        self.assertEqual(run.returncode, 0)
        records = int(re.search(r"socket records read: (\d+)", run.stderr).group(1))
        udp = json.loads(sockopt("show", "--udp", "--json", "--backend", "bpf", str(holder.pid)).stdout)["sockets"]
        self.assertGreaterEqual(records, len(udp))
        self.assertLess(records, 200 // 3, run.stderr)
        # What a run named is its own thread's: a reader after it reads every socket.
        self.assertGreater(len(read_iterator(link, lambda pid: None)), 400 * len(mine) // 3)

    def test_bad_backend(self):
        r = sockopt("show", "--backend", "ebpf")
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(len(r.stderr.splitlines()), 1)

    def test_backend_that_cannot_start(self):
        """Pins that cannot be made: one line naming why, exit 1, no table; the JSON lists it under "errors"."""
        env = dict(ENV, SOCKOPT_BPF_PIN_DIR="/dev/null/pins")
        env.pop("SOCKOPT_BPF_REPORT")
        r = sockopt("show", "--backend", "bpf", str(os.getpid()), env=env)
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(r.stderr.splitlines(), ["sockopt: The BPF backend: cannot make /dev/null/pins: Not a directory."])
        j = sockopt("show", "--backend", "bpf", "--json", str(os.getpid()), env=env)
        self.assertEqual(j.returncode, 1)
        self.assertEqual([e["error"] for e in json.loads(j.stdout)["errors"]], ["ENOTDIR"])
        self.assertEqual(len(j.stderr.splitlines()), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""test_show_bpf.py: `sockopt show --backend bpf` agrees with the pidfd path.

Real programs (python3, socat, redis-server) hold TCP sockets with options
they set themselves; both backends read them and must agree value for value
on every option both read.  TIME_WAIT sockets, which no process holds, appear
through BPF with their remaining time.  The iterators are loaded once and
pinned in a test-only root-only directory (removed at the end), so the second
run loads nothing.  An unprivileged caller is told why it gets the pidfd path.
Needs root (CI runs as root); elsewhere it says so and passes nothing off as checked.
"""
import ctypes
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import unittest

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


def sockopt(*args, env=ENV, user=None):
    argv = [SOCKOPT, *args]
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def options_by_socket(pid, backend):
    """{fd: {option name: value text}} for the TCP sockets of PID read through BACKEND."""
    r = sockopt("show", "--tcp", "--all", "--json", "--backend", backend, str(pid))
    assert r.returncode == 0, r.stderr
    sockets = json.loads(r.stdout)["sockets"]
    for s in sockets:
        assert s["backend"] == backend, s
    return {s["fd"]: {o["name"]: o["text"] for o in s["options"]} for s in sockets}


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
        """The first run loads and pins both iterators root-only; the next loads none."""
        shutil.rmtree(PIN_DIR, ignore_errors=True)
        first = sockopt("show", "--tcp", "--backend", "bpf", str(self.redis.pid))
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("loaded this run: 2", first.stderr)
        self.assertEqual(os.stat(PIN_DIR).st_mode & 0o777, 0o700)
        self.assertEqual(sorted(n.split("-")[0] for n in os.listdir(PIN_DIR)), ["task_file", "tcp"])
        second = sockopt("show", "--tcp", "--backend", "bpf", str(self.redis.pid))
        self.assertIn("loaded this run: 0", second.stderr)
        strip = lambda out: [line.split("timer:(")[0] for line in out.splitlines()]
        self.assertEqual(strip(first.stdout), strip(second.stdout))

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
        port = c.getsockname()[1]
        c.close()  # the active closer goes to TIME_WAIT once the peer closes too
        a.close()
        srv.close()
        time.sleep(0.2)
        r = sockopt("show", "--tcp", "--json", "--state", "time-wait", "--backend", "bpf")
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = [s for s in json.loads(r.stdout)["sockets"] if s["local"] == "127.0.0.1:%d" % port]
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

    def test_bad_backend(self):
        r = sockopt("show", "--backend", "ebpf")
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(len(r.stderr.splitlines()), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""test_show_ss.py: `sockopt show` against `ss`, on sockets real programs hold.

A socket several processes hold (a python3 listener inherited by two forked
children, nginx's listener in its master and worker) must be one entry listing
all its users, the same users `ss -p` lists, through both backends;
`--per-process` gives one entry per process fd.  Where show and
`ss -tuanpieom` both print a field for the same socket, they must agree.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
PYTHON = sys.executable
PIN_DIR = os.environ.get("SOCKOPT_BPF_PIN_DIR", "/sys/fs/bpf/sockopt-test-ss-%d" % os.getpid())
ENV = dict(os.environ, SOCKOPT_BPF_PIN_DIR=PIN_DIR)
DEADLINE = 10.0  # seconds any one wait may take

# A listener on 127.0.0.1:0, inherited by two forked children; prints the pids and the port.
FORKED = r"""
import os, signal, socket, sys, time


def stop(*_):
    for k in kids:
        os.kill(k, signal.SIGKILL)
        os.waitpid(k, 0)
    sys.exit(0)


signal.signal(signal.SIGTERM, signal.SIG_DFL)
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        time.sleep(600)
        os._exit(0)
    kids.append(pid)
signal.signal(signal.SIGTERM, stop)
print(os.getpid(), *kids, s.getsockname()[1], flush=True)
time.sleep(600)
"""

NGINX_CONF = """daemon off;
master_process on;
worker_processes 1;
pid %(dir)s/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(dir)s/body;
    server { listen 127.0.0.1:%(port)d; location / { return 200 "ok\\n"; } }
}
"""


def sockopt(*args):
    return subprocess.run([SOCKOPT, *args], capture_output=True, text=True, timeout=60, env=ENV)


def show(*args):
    r = sockopt("show", "--json", *args)
    if r.returncode != 0:
        raise AssertionError("show %s: exit %d: %s" % (args, r.returncode, r.stderr))
    return json.loads(r.stdout)["sockets"]


def ss_lines(*args):
    r = subprocess.run(["ss", "-H", *args], capture_output=True, text=True, timeout=30, check=True)
    return [line for line in r.stdout.splitlines() if line.strip()]


def ss_users(line):
    """The (comm, pid, fd) of each user ss -p prints on LINE, sorted."""
    return sorted((c, int(p), int(f)) for c, p, f in
                  re.findall(r'\("([^"]*)",pid=(\d+),fd=(\d+)\)', line))


def users_of(entry):
    return sorted((u["comm"], u["pid"], u["fd"]) for u in entry["users"])


def wait_for(predicate, what):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def bpf_usable():
    return os.geteuid() == 0 and os.path.exists("/sys/kernel/btf/vmlinux")


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sockopt-show-ss-")
        self.children = []

    def tearDown(self):
        # Each program runs in a session of its own.  SIGTERM to the leader first, so that nginx's
        # master and the python3 parent reap their children, then SIGKILL to whatever is left.
        for p in self.children:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
            if p.stdout:
                p.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, argv, **kw):
        kw.setdefault("stdout", subprocess.DEVNULL)
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, **kw)
        self.children.append(p)
        return p


class SharedListener(Case):
    """A socket held by several processes is one entry with all its users, as ss -p shows it."""

    def forked(self):
        p = self.start([PYTHON, "-c", FORKED], stdout=subprocess.PIPE, text=True)
        parent, kid1, kid2, port = map(int, p.stdout.readline().split())
        return (parent, kid1, kid2), port

    def check_one_entry(self, entries, port, backend):
        mine = [e for e in entries if e["local"] == "127.0.0.1:%d" % port]
        self.assertEqual(len(mine), 1, "%s: %s" % (backend, mine))
        line = ss_lines("-tlnp", "sport = :%d" % port)
        self.assertEqual(len(line), 1, line)
        self.assertEqual(users_of(mine[0]), ss_users(line[0]), backend)
        return mine[0]

    def test_forked_python_listener_is_one_entry_with_three_users(self):
        pids, port = self.forked()
        entry = self.check_one_entry(show(*map(str, pids)), port, "pidfd, three PIDs")
        self.assertEqual(len(entry["users"]), 3)
        self.assertEqual(entry["pid"], pids[0], "the entry is where the scan met it first")
        self.check_one_entry(show("--tcp", "--port", str(port), "--backend", "pidfd"), port,
                             "pidfd, every process")
        text = sockopt("show", *map(str, pids)).stdout.splitlines()[1:]
        self.assertEqual(len(text), 1, text)
        self.assertIn("users:(%s)" % ",".join('("python3",pid=%d,fd=%d)' % (p, entry["fd"])
                                              for p in sorted(pids)), text[0])

    def test_per_process_gives_one_entry_per_holder(self):
        pids, port = self.forked()
        entries = show("--per-process", *map(str, pids))
        self.assertEqual(sorted(e["pid"] for e in entries), sorted(pids))
        for e in entries:
            self.assertEqual(users_of(e), [("python3", e["pid"], e["fd"])])
        self.assertEqual(len(sockopt("show", "--per-process", *map(str, pids)).stdout
                             .splitlines()), 4)

    @unittest.skipUnless(bpf_usable(), "the BPF backend needs root and kernel BTF")
    def test_bpf_backend_prints_the_same_users(self):
        pids, port = self.forked()
        self.check_one_entry(show("--tcp", "--port", str(port), "--backend", "bpf"), port, "bpf")
        a = show("--tcp", "--backend", "bpf", *map(str, pids))
        b = show("--tcp", "--backend", "pidfd", *map(str, pids))
        self.assertEqual([(e["fd"], users_of(e)) for e in a], [(e["fd"], users_of(e)) for e in b])

    @unittest.skipUnless(shutil.which("nginx"), "nginx absent")
    def test_nginx_master_and_worker_share_one_listener(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF % {"dir": self.dir, "port": port})
        master = self.start(["nginx", "-p", self.dir, "-c", conf, "-e",
                             os.path.join(self.dir, "error.log")])

        def worker():
            try:
                with open("/proc/%d/task/%d/children" % (master.pid, master.pid)) as f:
                    kids = f.read().split()
            except OSError:
                return None
            held = ss_lines("-tlnp", "sport = :%d" % port)
            return int(kids[0]) if kids and held and len(ss_users(held[0])) >= 2 else None

        pid = wait_for(worker, "nginx's worker holding the listener")
        entry = self.check_one_entry(show(str(master.pid), str(pid)), port, "nginx, two PIDs")
        self.assertEqual({u["pid"] for u in entry["users"]}, {master.pid, pid})
        self.assertEqual({u["comm"] for u in entry["users"]}, {"nginx"})
        self.check_one_entry(show("--tcp", "--port", str(port)), port, "nginx, every process")


if __name__ == "__main__":
    unittest.main(verbosity=2)

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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pyutil import free_port, nginx_conf, wait_for  # noqa: E402

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
PYTHON = sys.executable
PIN_DIR = os.environ.get("SOCKOPT_BPF_PIN_DIR", "/sys/fs/bpf/sockopt-test-ss-%d" % os.getpid())
ENV = dict(os.environ, SOCKOPT_BPF_PIN_DIR=PIN_DIR)

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

def sockopt(*args):
    return subprocess.run([SOCKOPT, *args], capture_output=True, text=True, timeout=60, env=ENV)


def show(*args):
    r = sockopt("show", "--json", *args)
    if r.returncode != 0:
        raise AssertionError("show %s: exit %d: %s" % (args, r.returncode, r.stderr))
    return json.loads(r.stdout)["sockets"]


def ss_lines(*args):
    # Other processes on the machine may hold names that are not UTF-8.
    r = subprocess.run(["ss", "-H", *args], capture_output=True, text=True, errors="replace",
                       timeout=30, check=True)
    return [line for line in r.stdout.splitlines() if line.strip()]


def ss_users(line):
    """The (comm, pid, fd) of each user ss -p prints on LINE, sorted."""
    return sorted((c, int(p), int(f)) for c, p, f in
                  re.findall(r'\("([^"]*)",pid=(\d+),fd=(\d+)\)', line))


def users_of(entry):
    return sorted((u["comm"], u["pid"], u["fd"]) for u in entry["users"])


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
        # The listener: another process's client socket may have the same local port.
        mine = [e for e in entries if e["local"] == "127.0.0.1:%d" % port and e["state"] == "LISTEN"]
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

    @unittest.skipUnless(bpf_usable(), "the BPF backend needs root and kernel BTF")
    def test_bpf_backend_of_one_pid_lists_the_holders_pidfd_lists(self):
        # One PID through BPF takes the holders from its task_file iterator, not from /proc:
        # the same users as pidfd, the PID's own fds only (as the /proc list of that PID has).
        pids, port = self.forked()
        for pid in pids:
            a = show("--tcp", "--backend", "bpf", str(pid))
            b = show("--tcp", "--backend", "pidfd", str(pid))
            self.assertEqual([(e["fd"], users_of(e)) for e in a],
                             [(e["fd"], users_of(e)) for e in b], "PID %d" % pid)
            mine = [e for e in a if e["local"] == "127.0.0.1:%d" % port]
            self.assertEqual(len(mine), 1, mine)
            self.assertEqual(users_of(mine[0]), [("python3", pid, mine[0]["fd"])])

    @unittest.skipUnless(shutil.which("nginx"), "nginx absent")
    def test_nginx_master_and_worker_share_one_listener(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(self.dir, "127.0.0.1:%d" % port))
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


# A bbr connection over loopback with 100000 bytes sent and read, then idle; and a UDP socket with
# three 1000-byte datagrams queued.  Prints the pid, the fds and the client's local port.
HOLDER = r"""
import os, socket, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(4)
c = socket.socket()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"bbr")
c.connect(l.getsockname())
a, _ = l.accept()
c.sendall(b"x" * 100000)
got = 0
while got < 100000:
    got += len(a.recv(65536))
c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    w.sendto(b"y" * 1000, u.getsockname())
print(os.getpid(), c.fileno(), u.fileno(), c.getsockname()[1], u.getsockname()[1], flush=True)
time.sleep(600)
"""

# The ss -i fields that move by themselves on an idle socket: milliseconds since the last send,
# receive and ack.  Between the two reads they may grow by the time the reads take.
CLOCKS = ("lastsnd", "lastrcv", "lastack")


def cc_available(name="bbr"):
    """Whether congestion control NAME can be chosen, loading tcp_NAME when it is not yet."""
    def available():
        with open("/proc/sys/net/ipv4/tcp_available_congestion_control") as f:
            return name in f.read().split()

    if not available():
        subprocess.run(["modprobe", "tcp_" + name], capture_output=True, timeout=30)
    return available()


bbr_available = cc_available


def fields(words):
    """ss -i words as {name: value}: "rto:204", "ts" (value True), "send 123bps", "skmem:(…)"."""
    out, words = {}, list(words)
    while words:
        w = words.pop(0)
        if w in ("send", "pacing_rate", "delivery_rate") and words:
            out[w] = words.pop(0)
        elif ":" in w:
            k, v = w.split(":", 1)
            out[k] = v
        else:
            out[w] = True
    return out


def show_row(pid, fd):
    """sockopt show --all PID:FD as (the row's words, the words of its ss group)."""
    r = sockopt("show", "--all", "--backend", "pidfd", "%d:%d" % (pid, fd))
    if r.returncode != 0:
        raise AssertionError(r.stderr)
    lines = r.stdout.splitlines()[1:]
    ss, inside = [], False
    for line in lines[1:]:
        if line.startswith("    ss "):
            inside = True
            ss += line.split()[1:]
        elif inside and line.startswith(" " * 13):
            ss += line.split()
        else:
            inside = False
    return lines[0].split(), ss


def ss_row(proto, port, pid):
    """ss -tuanpieom for PID's socket on local PORT as (the row's words, the words of its info line).

    Other processes may hold sockets on the same local port (an ephemeral port is reused towards
    another peer), so the row is the one ss lists with PID among its users.
    """
    lines = ss_lines("-tuanpieom", "sport = :%d" % port)
    rows = []
    for line in lines:  # a socket's row, then its -i/-m line indented under it
        if not line.startswith(("\t", " ")):
            rows.append([line.split(), []])
        elif rows:
            rows[-1][1] += line.split()
    rows = [r for r in rows if r[0][0] == proto and "pid=%d," % pid in " ".join(r[0])]
    if len(rows) != 1:
        raise AssertionError("ss shows %d %s rows for port %d: %s" % (len(rows), proto, port, lines))
    return rows[0]


def header(words, ss_words):
    """The columns both print: protocol, state, queues, local and peer address, in our spelling."""
    state = {"ESTAB": "ESTABLISHED"}.get(ss_words[1], ss_words[1])
    peer = "*" if ss_words[5].endswith(":*") else ss_words[5]
    return (words[3], words[4], words[5], words[6], words[7], words[8]), \
        (ss_words[0], state, ss_words[2], ss_words[3], ss_words[4], peer)


class AgainstSs(Case):
    """show and ss -tuanpieom print the same fields of the same sockets alike."""

    def holder(self):
        p = self.start([PYTHON, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
        return tuple(map(int, p.stdout.readline().split()))

    def test_bbr_connection_field_for_field(self):
        if not bbr_available():
            self.skipTest("bbr is not available on this kernel (modprobe tcp_bbr failed)")
        pid, tcp_fd, _, port, _ = self.holder()
        time.sleep(0.3)  # let the connection go idle: its counters stop
        t0 = time.monotonic()
        row, mine = show_row(pid, tcp_fd)
        ss_words, ss_info = ss_row("tcp", port, pid)
        spent_ms = (time.monotonic() - t0) * 1000
        self.assertEqual(*header(row, ss_words))
        ours, theirs = fields(mine), fields(ss_info)
        both = set(ours) & set(theirs)
        wanted = {"skmem", "ts", "sack", "bbr", "wscale", "rto", "rtt", "mss", "pmtu", "rcvmss",
                  "advmss", "cwnd", "bytes_sent", "bytes_acked", "segs_out", "segs_in",
                  "data_segs_out", "send", "lastsnd", "lastrcv", "lastack", "pacing_rate",
                  "delivery_rate", "delivered", "rcv_space", "rcv_ssthresh", "minrtt", "snd_wnd"}
        self.assertEqual(wanted - both, set(), "fields ss prints that show does not: %s / %s"
                         % (mine, ss_info))
        self.assertEqual(set(ours) - set(theirs), set(), "show prints fields ss does not")
        for k in sorted(both):
            if k in CLOCKS:
                gap = int(theirs[k]) - int(ours[k])
                self.assertTrue(0 <= gap <= spent_ms + 5, (k, ours[k], theirs[k], spent_ms))
            else:
                self.assertEqual(ours[k], theirs[k], k)
        self.assertTrue(theirs["bbr"].startswith("(bw:"), theirs["bbr"])
        # The client's keepalive timer: its name and time left as ss -o prints them.
        ours_timer = re.search(r"timer:\((\w+),([^,)]+)\)", " ".join(row))
        ss_timer = re.search(r"timer:\((\w+),([^,)]+),\d+\)", " ".join(ss_words))
        self.assertIsNotNone(ss_timer, ss_words)
        self.assertIsNotNone(ours_timer, row)
        self.assertEqual(ours_timer.groups(), ss_timer.groups())
        print("compared %d fields with ss" % len(both), file=sys.stderr)

    def test_udp_queue_is_every_queued_byte_as_ss_counts_it(self):
        pid, _, udp_fd, _, port = self.holder()
        row, mine = show_row(pid, udp_fd)
        ss_words, ss_info = ss_row("udp", port, pid)
        self.assertEqual(*header(row, ss_words))
        self.assertGreater(int(row[5]), 3000, "three 1000-byte datagrams and their overhead")
        self.assertEqual(fields(mine)["skmem"], fields(ss_info)["skmem"])
        entry = show("%d:%d" % (pid, udp_fd))[0]
        self.assertEqual(entry["recv_q"], int(ss_words[2]))

    def test_shared_listener_row_matches_ss(self):
        p = self.start([PYTHON, "-c", FORKED], stdout=subprocess.PIPE, text=True)
        pids = p.stdout.readline().split()
        port = int(pids.pop())
        r = sockopt("show", "--backend", "pidfd", *pids)
        rows = r.stdout.splitlines()[1:]
        self.assertEqual(len(rows), 1, r.stdout)
        ss_words, _ = ss_row("tcp", port, int(pids[0]))
        self.assertEqual(*header(rows[0].split(), ss_words))
        users = re.search(r"users:\((.*?\))\)", rows[0]).group(0)
        self.assertEqual(ss_users(users), ss_users(" ".join(ss_words)))


# Sockets whose queues ss defines apart: a unix listener and a TCP listener with connections not yet
# accepted, a CLOSE-WAIT socket with 5 unread bytes and the FIN, and one with the FIN alone.
# Prints the pid, the TCP ports (listener, the two CLOSE-WAIT ends) and the unix path.
QUEUES = r"""
import os, socket, sys, time
path = os.path.join(sys.argv[1], "l.sock")
ul = socket.socket(socket.AF_UNIX)
ul.bind(path)
ul.listen(5)
waiting = [socket.socket(socket.AF_UNIX) for _ in range(2)]
for c in waiting:
    c.connect(path)
tl = socket.socket()
tl.bind(("127.0.0.1", 0))
tl.listen(7)
pending = [socket.socket() for _ in range(3)]
for c in pending:
    c.connect(tl.getsockname())


def close_wait(data):
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(1)
    c = socket.socket()
    c.connect(l.getsockname())
    a, _ = l.accept()
    c.sendall(data)
    c.close()
    return l, a


l1, a1 = close_wait(b"hello")
l2, a2 = close_wait(b"")
time.sleep(0.2)  # both FINs arrive over loopback
print(os.getpid(), tl.getsockname()[1], a1.getsockname()[1], a2.getsockname()[1], path, flush=True)
time.sleep(600)
"""


class Queues(Case):
    """Recv-Q and Send-Q as ss defines them where they are not the bytes in the queue."""

    def ss_queues(self, pid):
        """{local address: (recv_q, send_q, state)} of PID's TCP and unix sockets, as ss prints them."""
        out = {}
        for line in ss_lines("-tanxp"):
            if "pid=%d," % pid not in line:
                continue
            w = line.split()
            out.setdefault((w[4], w[1]), []).append((int(w[2]), int(w[3])))
        return out

    def test_listeners_and_close_wait_match_ss_on_both_backends(self):
        p = self.start([PYTHON, "-c", QUEUES, self.dir], stdout=subprocess.PIPE, text=True)
        words = p.stdout.readline().split()
        pid, tport, cw_data, cw_fin = map(int, words[:4])
        path = words[4]
        theirs = self.ss_queues(pid)
        wanted = {(path, "LISTEN"): (2, 5), ("127.0.0.1:%d" % tport, "LISTEN"): (3, 7),
                  ("127.0.0.1:%d" % cw_data, "CLOSE-WAIT"): (6, 0),
                  ("127.0.0.1:%d" % cw_fin, "CLOSE-WAIT"): (1, 0)}
        for key, queues in wanted.items():
            # What ss says on this kernel: the FIN counts one in Recv-Q; a listener's are its
            # waiting connections and its backlog.
            self.assertEqual(theirs.get(key), [queues], (key, theirs))
        backends = ["pidfd"] + (["bpf"] if bpf_usable() else [])
        for backend in backends:
            mine = {}
            for e in show("--backend", backend, str(pid)):
                mine.setdefault((e["local"], e["state"]), []).append((e["recv_q"], e["send_q"]))
            for key, queues in wanted.items():
                self.assertEqual(mine.get(key), [queues], (backend, key, mine))


# UDP sockets: one whose SO_SNDBUF is set to half its default (stored doubled: the default), one
# untouched, and one with SO_LINGER {0, 0} as memcached sets it.  Prints the pid and the three fds.
SAME_AS_DEFAULT = r"""
import os, socket, struct, time
a, b, c = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3))
a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, b.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 2)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 0, 0))
print(os.getpid(), a.fileno(), b.fileno(), c.fileno(), flush=True)
time.sleep(600)
"""


class SetByProgram(Case):
    """A value set equal to the default is shown when the kernel records that it was set."""

    def backends(self):
        return ["pidfd"] + (["bpf"] if bpf_usable() else [])

    @unittest.skipUnless(shutil.which("nginx"), "nginx absent")
    def test_nginx_rcvbuf_equal_to_the_default(self):
        ports = {"set": free_port(), "plain": free_port()}
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            # A listener on each of two ports, the first with rcvbuf=64k: Linux doubles it to
            # 131072, what a fresh TCP socket has (tcp_rmem's default), so only SO_BUF_LOCK tells.
            f.write(nginx_conf(self.dir, "127.0.0.1:%d rcvbuf=64k" % ports["set"],
                               "127.0.0.1:%d" % ports["plain"]))
        master = self.start(["nginx", "-p", self.dir, "-c", conf, "-e",
                             os.path.join(self.dir, "error.log")])
        wait_for(lambda: len(ss_lines("-tln", "sport = :%d or sport = :%d"
                                      % (ports["set"], ports["plain"]))) == 2, "nginx listening")
        # What ss -m reads of the kernel: the same receive buffer on both listeners.
        rb = [re.search(r"rb(\d+)", " ".join(ss_lines("-tlm", "sport = :%d" % ports[k]))).group(1)
              for k in ("set", "plain")]
        self.assertEqual(rb[0], rb[1])
        for backend in self.backends():
            entries = {e["local"]: e for e in show("--backend", backend, str(master.pid))}
            options = {k: {o["name"]: o for o in entries["127.0.0.1:%d" % ports[k]]["options"]}
                       for k in ports}
            rcvbuf = options["set"].get("SO_RCVBUF")
            self.assertIsNotNone(rcvbuf, (backend, options["set"]))
            self.assertEqual((rcvbuf["value"], rcvbuf["default"], rcvbuf["set_by_program"]),
                             (int(rb[0]), True, True), backend)
            self.assertNotIn("SO_RCVBUF", options["plain"], backend)
            text = sockopt("show", "--backend", backend, "--port", str(ports["set"]),
                           str(master.pid)).stdout
            self.assertIn("SO_RCVBUF=%s(set)" % rb[0], text, backend)

    def test_udp_sndbuf_equal_to_the_default_and_linger_off(self):
        p = self.start([PYTHON, "-c", SAME_AS_DEFAULT], stdout=subprocess.PIPE, text=True)
        pid, set_fd, plain_fd, linger_fd = map(int, p.stdout.readline().split())
        for backend in self.backends():
            entries = {e["fd"]: {o["name"]: o for o in e["options"]}
                       for e in show("--backend", backend, str(pid))}
            sndbuf = entries[set_fd].get("SO_SNDBUF")
            self.assertIsNotNone(sndbuf, (backend, entries[set_fd]))
            self.assertEqual((sndbuf["default"], sndbuf["set_by_program"]), (True, True))
            self.assertNotIn("SO_SNDBUF", entries[plain_fd], backend)
            # SO_LINGER {0, 0} leaves no trace in the kernel: it reads as a fresh socket's.
            self.assertNotIn("SO_LINGER", entries[linger_fd], backend)
            every = {e["fd"]: {o["name"]: o for o in e["options"]}
                     for e in show("--all", "--backend", "pidfd", str(pid))}
            self.assertFalse(every[plain_fd]["SO_SNDBUF"]["set_by_program"])
            self.assertNotIn("set_by_program", every[linger_fd]["SO_LINGER"])


# A loopback connection whose client runs congestion control argv[1], 100000 bytes sent and read,
# then idle.  Prints the pid, the client's fd and its local port.
CC_HOLDER = r"""
import os, socket, sys, time
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(4)
c = socket.socket()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[1].encode())
c.connect(l.getsockname())
a, _ = l.accept()
c.sendall(b"x" * 100000)
got = 0
while got < 100000:
    got += len(a.recv(65536))
print(os.getpid(), c.fileno(), c.getsockname()[1], flush=True)
time.sleep(600)
"""


class CcInfo(Case):
    """TCP_CC_INFO is an object in JSON and ss's words in text, for each algorithm that has one."""

    def connection(self, name):
        if not cc_available(name):
            self.skipTest("%s is not available on this kernel (modprobe tcp_%s failed)"
                          % (name, name))
        p = self.start([PYTHON, "-c", CC_HOLDER, name], stdout=subprocess.PIPE, text=True)
        pid, fd, port = map(int, p.stdout.readline().split())
        time.sleep(0.3)  # idle: the estimates stop moving
        entry = show("--all", "--backend", "pidfd", "%d:%d" % (pid, fd))[0]
        cc = {o["name"]: o for o in entry["options"]}["TCP_CC_INFO"]
        _, ss_info = ss_row("tcp", port, pid)
        _, ours = show_row(pid, fd)
        self.assertEqual(cc["value"]["algorithm"], name, cc)
        return cc, fields(ss_info), fields(ours)

    def test_bbr(self):
        cc, theirs, ours = self.connection("bbr")
        v = cc["value"]
        self.assertEqual(cc["text"], "bbr:" + theirs["bbr"])
        self.assertEqual(ours["bbr"], theirs["bbr"])
        group = dict(kv.split(":") for kv in theirs["bbr"].strip("()").split(","))
        self.assertEqual("%dbps" % (v["bw"] * 8), group["bw"])
        self.assertEqual("%g" % (v["min_rtt"] / 1000.0), group["mrtt"])
        self.assertEqual("%g" % (v["pacing_gain"] / 256.0), group["pacing_gain"])
        self.assertEqual("%g" % (v["cwnd_gain"] / 256.0), group["cwnd_gain"])

    def test_dctcp(self):
        cc, theirs, ours = self.connection("dctcp")
        v = cc["value"]
        self.assertEqual(cc["text"], "dctcp:" + theirs["dctcp"])
        self.assertEqual(ours["dctcp"], theirs["dctcp"])
        if v["enabled"]:
            self.assertEqual(theirs["dctcp"], "(ce_state:%d,alpha:%d,ab_ecn:%d,ab_tot:%d)"
                             % (v["ce_state"], v["alpha"], v["ab_ecn"], v["ab_tot"]))

    def test_vegas(self):
        cc, theirs, ours = self.connection("vegas")
        v = cc["value"]
        # ss prints no vegas group; it computes "send" from vegas's rtt, and so does show.
        self.assertNotIn("vegas", theirs)
        self.assertEqual(ours["send"], theirs["send"])
        if v["enabled"]:
            self.assertEqual(ours["vegas"], "(rttcnt:%d,rtt:%g,minrtt:%g)"
                             % (v["rttcnt"], v["rtt"] / 1000.0, v["minrtt"] / 1000.0))


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""test_show.py: sockopt show and set against programs no one here wrote.

python3 and socat set options on their own sockets while strace records every
setsockopt call; `sockopt show` must report exactly the values in strace's
record (as the kernel stores them).  Then `sockopt set` changes options on the
running python3 program, which reads them back itself with getsockopt.  The
permission tests run sockopt as nobody against a root process, and the
robustness test runs show 100 times against processes that churn sockets and
exit at a random moment.
"""
import json
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pyutil import wait_for  # noqa: E402

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable


def run(*args, **kw):
    """Run sockopt with ARGS; the completed process, text output."""
    return subprocess.run([SOCKOPT, *args], capture_output=True, text=True, timeout=60, **kw)


def show_json(*args):
    r = run("show", "--json", *args)
    return r.returncode, json.loads(r.stdout), r.stderr


class Program:
    """A program started in the background (under strace when asked), stopped at the end."""

    def __init__(self, argv, strace_log=None, user=None):
        self.strace_log = strace_log
        self.argv = argv
        self.child = None
        if strace_log:
            argv = ["strace", "-f", "-qq", "-e", "trace=setsockopt", "-e", "signal=none",
                    "-o", strace_log, *argv]
        if user:
            argv = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups", *argv]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)

    def line(self):
        return self.proc.stdout.readline().strip()

    def ask(self, request):
        self.proc.stdin.write(request + "\n")
        self.proc.stdin.flush()
        return self.line()

    def traced_pid(self):
        """The pid of the program strace started: its descendant named like the program."""
        name = os.path.basename(self.argv[0]).encode()[:15]

        def descendants(pid):
            try:
                with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                return []
            return kids + [d for k in kids for d in descendants(k)]

        def program():
            for pid in descendants(self.proc.pid):
                try:
                    with open("/proc/%d/comm" % pid, "rb") as f:
                        if f.read().rstrip(b"\n") == name:
                            return pid
                except OSError:
                    pass
            return None
        self.child = wait_for(program, "strace to start " + name.decode(errors="replace"))
        return self.child

    def stop(self):
        """End the program (and strace's child, which a killed strace would leave running)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if self.child:
            try:
                os.kill(self.child, 15)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


# ---- strace's record ----------------------------------------------------------

SETSOCKOPT = re.compile(r"^(\d+)\s+setsockopt\((\d+), (\w+), (\w+), (.*), (\d+)\) = 0$")


def strace_value(text):
    """A setsockopt argument as strace prints it: [N], {a=1, b=2} or "bytes"."""
    if text.startswith("[") and text.endswith("]"):
        return int(text[1:-1], 0)
    if text.startswith("{"):
        return {k: int(v, 0) for k, v in re.findall(r"(\w+)=(-?\w+)", text)}
    if text.startswith('"'):
        return text[1:-1].encode("latin1").decode("unicode_escape").encode("latin1")
    raise ValueError("cannot read strace value " + text)


def setsockopt_record(path):
    """The last value each (pid, fd, option name) was set to, from an strace -o file."""
    record = {}
    with open(path) as f:
        for line in f:
            m = SETSOCKOPT.match(line.strip())
            if m:
                pid, fd, _level, name, value, _len = m.groups()
                record[(int(pid), int(fd), name)] = strace_value(value)
    return record


_catalog = {}


def catalog(name):
    """`sockopt explain --json NAME` (the kernel name and type), or None when unknown."""
    if name not in _catalog:
        r = run("explain", "--json", name)
        _catalog[name] = json.loads(r.stdout) if r.returncode == 0 else None
    return _catalog[name]


def expected_json(option, value):
    """What show --json must say for VALUE, as setsockopt passed it, stored by Linux."""
    t = option["type"]
    if isinstance(value, bytes) and t == "timeval":
        sec, usec = struct.unpack("ll", value[:16])
        return {"sec": sec, "usec": usec}
    if isinstance(value, dict) and t == "linger":
        return {"onoff": 1 if value["l_onoff"] else 0, "linger": value["l_linger"]}
    if isinstance(value, dict) and t == "timeval":
        return {"sec": value["tv_sec"], "usec": value["tv_usec"]}
    if t == "bool":
        return bool(value)
    if t == "bytes":
        return 2 * value  # Linux doubles SO_SNDBUF and SO_RCVBUF
    return value


def options_of(sock):
    return {o["name"]: o for o in sock["options"]}


class RecordCheck(unittest.TestCase):
    """Compares show's sockets with strace's record of the same process."""

    def compare(self, record, pid, sockets):
        """Every recorded setsockopt on a still-open fd; the names compared."""
        by_fd = {s["fd"]: s for s in sockets if s["pid"] == pid}
        compared = set()
        for (rpid, fd, name), value in record.items():
            option = catalog(name)
            if rpid != pid or fd not in by_fd or option is None:
                continue
            shown = options_of(by_fd[fd]).get(option["name"])
            self.assertIsNotNone(shown, "show does not list %s on fd %d" % (name, fd))
            self.assertEqual(shown["value"], expected_json(option, value),
                             "%s on fd %d: strace says %r, show says %s"
                             % (name, fd, value, shown["text"]))
            compared.add(option["name"])
        return compared


class ShowPython(RecordCheck):
    """A python3 program's sockets, compared with strace's record of its setsockopt calls."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.log = os.path.join(cls.dir, "strace.log")
        cls.program = Program([PYTHON, os.path.join(HERE, "sockets.py"), cls.dir], cls.log)
        cls.info = json.loads(cls.program.line())
        cls.pid, cls.fds = cls.info["pid"], cls.info["fds"]
        cls.code, cls.all, cls.stderr = show_json(str(cls.pid), "--all")

    @classmethod
    def tearDownClass(cls):
        cls.program.stop()
        shutil.rmtree(cls.dir)

    def socket(self, name, shown=None):
        shown = shown or self.all
        return next(s for s in shown["sockets"] if s["fd"] == self.fds[name])

    def test_show_exits_0_with_every_socket(self):
        self.assertEqual(self.code, 0, self.stderr)
        shown = {s["fd"] for s in self.all["sockets"]}
        self.assertTrue(set(self.fds.values()) <= shown)

    def test_every_recorded_setsockopt_is_what_show_reports(self):
        record = setsockopt_record(self.log)
        compared = self.compare(record, self.pid, self.all["sockets"])
        wanted = {"TCP_NODELAY", "SO_KEEPALIVE", "TCP_KEEPIDLE", "SO_LINGER", "IP_TOS",
                  "SO_RCVTIMEO", "IPV6_V6ONLY", "SO_RCVBUF", "SO_REUSEADDR", "SO_SNDBUF"}
        self.assertEqual(wanted - compared, set(), "strace recorded these but none was compared")

    def test_the_options_column_lists_what_the_program_changed(self):
        _, shown, _ = show_json("%d:%d" % (self.pid, self.fds["client"]))
        names = set(options_of(shown["sockets"][0]))
        self.assertTrue({"TCP_NODELAY", "SO_KEEPALIVE", "TCP_KEEPIDLE", "SO_LINGER", "IP_TOS",
                         "SO_RCVTIMEO", "SO_RCVBUF"} <= names, names)
        self.assertNotIn("SO_REUSEADDR", names, "a default value is not listed")
        text = run("show", "%d:%d" % (self.pid, self.fds["client"])).stdout
        for word in ("TCP_NODELAY", "SO_KEEPALIVE", "TCP_KEEPIDLE=1m", "SO_LINGER=on:5",
                     "SO_RCVBUF=100000"):
            self.assertIn(word, text.split())

    def test_addresses_states_and_queues(self):
        port = self.info["port"]
        listener, client, server = (self.socket(n) for n in ("listener", "client", "server"))
        self.assertEqual((listener["state"], listener["local"], listener["peer"]),
                         ("LISTEN", "127.0.0.1:%d" % port, None))
        self.assertEqual((client["state"], client["peer"]), ("ESTABLISHED", listener["local"]))
        self.assertEqual((server["local"], server["peer"]), (listener["local"], client["local"]))
        self.assertEqual((client["recv_q"], client["send_q"]), (0, 0))
        self.assertEqual((self.socket("udp6")["state"], self.socket("udp6")["kind"]),
                         ("UNCONN", "udp6"))
        self.assertEqual(self.socket("pair_a")["local"], "unnamed")
        self.assertEqual(self.socket("pair_a")["peer"], "unnamed")
        self.assertEqual(self.socket("unix_path")["local"], os.path.join(self.dir, "listener.sock"))
        self.assertEqual(self.socket("unix_abstract")["local"], "@sockopt-test-%d" % self.pid)
        self.assertEqual(self.socket("unix_abstract")["type"], "SOCK_DGRAM")

    def test_inodes_are_those_proc_shows(self):
        for name, fd in self.fds.items():
            link = os.readlink("/proc/%d/fd/%d" % (self.pid, fd))
            self.assertEqual(link, "socket:[%d]" % self.socket(name)["inode"], name)

    def test_options_that_change_state_when_read_are_not_read(self):
        for sock in self.all["sockets"]:
            self.assertNotIn("SO_ERROR", options_of(sock))
        _, shown, _ = show_json("%d:%d" % (self.pid, self.fds["client"]), "--all",
                                "--side-effects")
        self.assertIn("SO_ERROR", options_of(shown["sockets"][0]))

    def test_show_reads_no_side_effect_option_at_all(self):
        log = os.path.join(self.dir, "show.strace")
        # LeakSanitizer cannot run under ptrace; the sanitizer build still checks everything else.
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        subprocess.run(["strace", "-qq", "-e", "trace=getsockopt", "-o", log, SOCKOPT, "show",
                        str(self.pid), "--all"], capture_output=True, timeout=60, check=True,
                       env=env)
        with open(log) as f:
            calls = f.read()
        self.assertIn("TCP_NODELAY", calls)
        for name in ("SO_ERROR", "SO_COOKIE", "TCP_QUICKACK", "TCP_SAVED_SYN", "SO_PEERPIDFD"):
            self.assertNotIn(name, calls)

    def test_filters(self):
        def kinds(*args):
            _, shown, _ = show_json(str(self.pid), *args)
            return sorted({s["kind"] for s in shown["sockets"]})
        self.assertEqual(kinds("--tcp"), ["tcp"])
        self.assertEqual(kinds("--udp"), ["udp", "udp6"])
        self.assertEqual(kinds("--unix"), ["unix", "unix-dgram"])
        self.assertEqual(kinds("-6"), ["udp6"])
        self.assertEqual(kinds("--udp", "-4"), ["udp"])
        _, shown, _ = show_json(str(self.pid), "--listening", "--tcp")
        self.assertEqual([s["fd"] for s in shown["sockets"]], [self.fds["listener"]])
        _, shown, _ = show_json(str(self.pid), "--port", str(self.info["port"]))
        self.assertEqual(sorted(s["fd"] for s in shown["sockets"]),
                         sorted(self.fds[n] for n in ("listener", "client", "server")))
        _, shown, _ = show_json(str(self.pid), "--state", "established", "--tcp")
        self.assertEqual(sorted(s["fd"] for s in shown["sockets"]),
                         sorted(self.fds[n] for n in ("client", "server")))
        self.assertEqual(run("show", "--state", "sleepy").returncode, 2)

    def test_whole_machine_scan_finds_this_program(self):
        _, shown, _ = show_json("--tcp", "--port", str(self.info["port"]))
        self.assertIn(self.pid, {s["pid"] for s in shown["sockets"]})

    def test_fds_that_are_not_sockets_are_said_so(self):
        r = run("show", "%d:0" % self.pid, "%d:999" % self.pid)
        self.assertEqual(r.returncode, 1)
        self.assertIn("fd 0 of process %d (python3) is not a socket; it is pipe:[" % self.pid,
                      r.stderr)
        self.assertNotIn("fd 999", r.stderr)
        code, shown, stderr = show_json("%d:0" % self.pid, "%d:999" % self.pid)
        self.assertIn("fd 999 of process %d (python3) is not open." % self.pid,
                      [e["text"] for e in shown["errors"]])

    def test_several_failures_are_one_line(self):
        fds = ["%d:%d" % (self.pid, fd) for fd in (0, 998, 999)]
        r = run("show", *fds)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^sockopt: 3 of the processes and fds asked for could not be "
                         r"read; the first: fd 0 of process \d+ \(python3\) is not a socket[^\n]*\n$")


class ShowSocat(RecordCheck):
    """socat's sockets: a listener with reuseaddr,keepalive,nodelay,rcvbuf and a client with linger."""

    def start_listener(self, work):
        """socat listening on a free port; another port when a busy machine took the first."""
        for _attempt in range(5):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.close()
            server = Program(["socat", "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,keepalive,"
                              "nodelay,rcvbuf=50000" % port, "STDIO"],
                             os.path.join(work, "server.log"))
            try:
                pid = server.traced_pid()
                wait_for(lambda: server.proc.poll() is not None or
                         show_json(str(pid), "--listening")[1]["sockets"], "socat to listen")
            except AssertionError:
                server.stop()
                raise
            if server.proc.poll() is None:
                return server, pid, port
            server.stop()
        raise AssertionError("socat could not listen on any of 5 free ports")

    def test_socat_options_match_strace(self):
        work = tempfile.mkdtemp()
        server, server_pid, port = self.start_listener(work)
        client = None
        try:
            client = Program(["socat", "STDIO", "TCP:127.0.0.1:%d,linger=5,nodelay" % port],
                             os.path.join(work, "client.log"))
            client_pid = client.traced_pid()
            def connection():
                sockets = [s for s in show_json(str(server_pid), str(client_pid), "--all",
                                                "--tcp")[1]["sockets"]
                           if s["state"] == "ESTABLISHED"]
                return sockets if len(sockets) == 2 else None
            sockets = wait_for(connection, "both ends of the socat connection")
            compared = self.compare(setsockopt_record(os.path.join(work, "client.log")),
                                    client_pid, sockets)
            self.assertEqual(compared, {"SO_LINGER", "TCP_NODELAY"})
            self.check_inherited(setsockopt_record(os.path.join(work, "server.log")),
                                 server_pid, sockets, port)
        finally:
            for p in (client, server):
                if p:
                    p.stop()
            shutil.rmtree(work)

    def check_inherited(self, record, pid, sockets, port):
        """socat set its options on the listener, then closed it: the accepted socket inherited them."""
        accepted = next(s for s in sockets if s["pid"] == pid and s["local"].endswith(":%d" % port))
        shown = options_of(accepted)
        names = set()
        for (_pid, _fd, name), value in record.items():
            option = catalog(name)
            if option and option["inherited"]:
                self.assertEqual(shown[option["name"]]["value"], expected_json(option, value), name)
                names.add(option["name"])
        self.assertEqual(names, {"SO_REUSEADDR", "SO_KEEPALIVE", "TCP_NODELAY", "SO_RCVBUF"})


class SetPython(unittest.TestCase):
    """sockopt set changes a running program's sockets; the program reads the values itself."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.program = Program([PYTHON, os.path.join(HERE, "sockets.py"), self.dir])
        info = json.loads(self.program.line())
        self.pid, self.fds = info["pid"], info["fds"]
        self.client = "%d:%d" % (self.pid, self.fds["client"])

    def tearDown(self):
        self.program.stop()
        shutil.rmtree(self.dir)

    def get(self, level, name, fd="client"):
        return self.program.ask("get %s %s %s" % (fd, level, name))

    def test_set_changes_what_the_program_reads(self):
        r = run("set", self.client, "nodelay=off", "keepidle=75", "TCP_USER_TIMEOUT=3s")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.get("IPPROTO_TCP", "TCP_NODELAY"), "0")
        self.assertEqual(self.get("IPPROTO_TCP", "TCP_KEEPIDLE"), "75")
        self.assertEqual(self.get("IPPROTO_TCP", "TCP_USER_TIMEOUT"), "3000")
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^TCP_NODELAY +on → off +TCP_NODELAY: requested off, stored off\.$")
        self.assertRegex(lines[1], r"^TCP_KEEPIDLE +1m → 75s +TCP_KEEPIDLE: requested 75s")

    def test_the_readback_explains_what_the_kernel_kept(self):
        r = run("set", "--json", self.client, "SO_SNDBUF=20000")
        self.assertEqual(r.returncode, 0, r.stderr)
        change = json.loads(r.stdout)["changes"][0]
        self.assertEqual(change["after"]["value"], 40000)
        self.assertIn("Linux doubles SO_SNDBUF", change["readback"])
        self.assertEqual(self.get("SOL_SOCKET", "SO_SNDBUF"), "40000")

    def test_a_late_option_is_set_with_a_warning(self):
        r = run("set", self.client, "reuseaddr=on", "rcvbuf=32K")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("SO_REUSEADDR acts at bind(), and this socket is already bound", r.stderr)
        self.assertIn("window scale was fixed in its handshake", r.stderr)
        self.assertEqual(self.get("SOL_SOCKET", "SO_REUSEADDR"), "1")

    def test_dry_run_changes_nothing(self):
        r = run("set", "--dry-run", self.client, "nodelay=off", "reuseaddr=on")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("dry run: not set", r.stdout)
        self.assertIn("SO_REUSEADDR acts at bind(), and this socket is already bound", r.stderr)
        self.assertEqual(self.get("IPPROTO_TCP", "TCP_NODELAY"), "1")
        self.assertEqual(self.get("SOL_SOCKET", "SO_REUSEADDR"), "0")

    def test_nothing_changes_when_one_assignment_is_bad(self):
        for bad in ("keepidle=soon", "nosuchoption=1", "TCP_INFO=1", "nodelay"):
            r = run("set", self.client, "nodelay=off", bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("sockopt: ", r.stderr)
            self.assertEqual(self.get("IPPROTO_TCP", "TCP_NODELAY"), "1", bad)

    def test_nothing_changes_when_one_option_does_not_fit_the_socket(self):
        r = run("set", self.client, "nodelay=off", "v6only=on")
        self.assertEqual(r.returncode, 1)
        self.assertIn("IPV6_V6ONLY does not apply to fd %d of process %d, a tcp socket; nothing "
                      "was changed." % (self.fds["client"], self.pid), r.stderr)
        self.assertEqual(self.get("IPPROTO_TCP", "TCP_NODELAY"), "1")

    def test_set_on_an_fd_that_is_no_socket_changes_nothing(self):
        r = run("set", "%d:0" % self.pid, "nodelay=on")
        self.assertEqual((r.returncode, r.stderr), (1, "sockopt: fd 0 of process %d is not a "
                                                       "socket; nothing was changed.\n" % self.pid))
        r = run("set", "%d:999" % self.pid, "nodelay=on")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Process %d (python3) has no fd 999." % self.pid, r.stderr)

    def test_set_on_a_unix_socket_and_a_udp_socket(self):
        r = run("set", "%d:%d" % (self.pid, self.fds["pair_b"]), "sndbuf=16K")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.get("SOL_SOCKET", "SO_SNDBUF", "pair_b"), "32768")
        r = run("set", "%d:%d" % (self.pid, self.fds["udp"]), "tos=EF")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.get("IPPROTO_IP", "IP_TOS", "udp"), str(46 << 2))


class Permissions(unittest.TestCase):
    """The refusals, said precisely: run as nobody against root's processes."""

    @classmethod
    def setUpClass(cls):
        if os.getuid() != 0:
            raise unittest.SkipTest("needs root to start processes as two users")
        # A copy nobody may execute, wherever the build tree lives.
        cls.dir = tempfile.mkdtemp()
        os.chmod(cls.dir, 0o755)
        cls.binary = os.path.join(cls.dir, "sockopt")
        shutil.copy(SOCKOPT, cls.binary)
        os.chmod(cls.binary, 0o755)
        cls.root = Program([PYTHON, os.path.join(HERE, "sockets.py"), cls.dir])
        cls.root_pid = json.loads(cls.root.line())["pid"]

    @classmethod
    def tearDownClass(cls):
        cls.root.stop()
        shutil.rmtree(cls.dir)

    def as_nobody(self, *args):
        return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               self.binary, *args], capture_output=True, text=True, timeout=60)

    def test_another_users_process_needs_cap_sys_ptrace(self):
        r = self.as_nobody("show", str(self.root_pid))
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^sockopt: Process %d \(python3\) runs as root \(uid 0\) and "
                         r"sockopt as \w+ \(uid 65534\); reading another user's sockets needs "
                         r"CAP_SYS_PTRACE" % self.root_pid)

    def test_set_is_refused_the_same_way_and_changes_nothing(self):
        r = self.as_nobody("set", "%d:3" % self.root_pid, "nodelay=off")
        self.assertEqual(r.returncode, 1)
        self.assertIn("needs CAP_SYS_PTRACE", r.stderr)
        self.assertIn("Nothing was changed.", r.stderr)

    def test_the_same_user_needs_no_privilege(self):
        mine = Program(["socat", "TCP-LISTEN:0,bind=127.0.0.1", "STDIO"], user=65534)
        try:
            shown = wait_for(lambda: json.loads(self.as_nobody(
                "show", "--json", "--tcp", str(mine.proc.pid)).stdout)["sockets"],
                "socat as nobody")
            self.assertEqual(shown[0]["state"], "LISTEN")
        finally:
            mine.stop()

    def test_a_process_that_made_itself_undumpable_needs_cap_sys_ptrace(self):
        python = shutil.which("python3", path="/usr/bin:/bin")
        if not python:
            self.skipTest("no python3 in /usr/bin for nobody to run")
        code = ("import ctypes, socket, sys; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); "
                "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); "
                "print('ready', flush=True); sys.stdin.read()")
        hidden = Program([python, "-c", code], user=65534)
        try:
            self.assertEqual(hidden.line(), "ready")
            r = self.as_nobody("show", str(hidden.proc.pid))
            self.assertEqual(r.returncode, 1)
            self.assertIn("Process %d (python3) is not dumpable (it changed its credentials or "
                          "called prctl(PR_SET_DUMPABLE, 0)), so only CAP_SYS_PTRACE lets another "
                          "process read its sockets." % hidden.proc.pid, r.stderr)
        finally:
            hidden.stop()

    def test_the_whole_machine_as_nobody_says_how_many_were_skipped(self):
        # Refusals are warnings: sockopt read itself at least, so something was read.
        r = self.as_nobody("show")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"^sockopt: warning: \d+ process(es)? and \d+ sockets? could not be "
                         r"read \(\d+ sockets? (was|were) shown\); the first refusal: [^\n]*\n$")

    def test_a_process_that_does_not_exist(self):
        r = run("show", "4000000")
        self.assertEqual((r.returncode, r.stderr), (1, "sockopt: There is no process 4000000.\n"))

    def test_yama_is_named_when_this_kernel_has_it(self):
        if not os.path.exists("/proc/sys/kernel/yama/ptrace_scope"):
            self.skipTest("kernel.yama.ptrace_scope is absent on this kernel")
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            if f.read().strip() == "0":
                self.skipTest("kernel.yama.ptrace_scope is 0")
        r = self.as_nobody("show", str(self.root_pid))
        self.assertIn("kernel.yama.ptrace_scope", r.stderr)


CHURN = r"""
import os, random, socket, sys, time
random.seed(int(sys.argv[1]))
end = time.monotonic() + random.uniform(0.02, 0.25)
held = []
while time.monotonic() < end:
    s = socket.socket(random.choice([socket.AF_INET, socket.AF_INET6, socket.AF_UNIX]),
                      random.choice([socket.SOCK_STREAM, socket.SOCK_DGRAM]))
    held.append(s)
    if len(held) > 200:
        victim = held.pop(random.randrange(len(held)))
        fd = victim.fileno()
        victim.close()
        if random.random() < 0.3:  # the fd number comes back as a file
            held.append(open("/dev/null"))
os._exit(0)
"""


class Robustness(unittest.TestCase):
    """show against processes that open and close sockets and exit at a random moment."""

    def test_100_runs_never_crash_and_always_explain(self):
        rng = random.Random(4)
        outcomes = {0: 0, 1: 0}
        start = time.monotonic()
        for i in range(100):
            child = subprocess.Popen([PYTHON, "-c", CHURN, str(i)])
            time.sleep(rng.uniform(0, 0.1))
            r = run("show", str(child.pid), *rng.choice([[], ["--all"], ["--json"]]))
            child.kill()
            child.wait(timeout=10)
            self.assertIn(r.returncode, (0, 1), r.stderr)
            if r.returncode == 1:
                self.assertRegex(r.stderr, r"^(sockopt: [^\n]+\.\n)+$")
            outcomes[r.returncode] += 1
        print("robustness: %d runs exited 0, %d exited 1 with a sentence, in %.1f s"
              % (outcomes[0], outcomes[1], time.monotonic() - start), file=sys.stderr)
        # Bounded by the count and each run's 60 s timeout; how long the 100 runs take depends on
        # the machine's load and the build (ASan, valgrind), so it is reported, not asserted.


if __name__ == "__main__":
    unittest.main(verbosity=2)

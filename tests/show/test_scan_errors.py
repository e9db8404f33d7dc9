#!/usr/bin/env python3
"""test_scan_errors.py: what show says when a process exits under it or cannot be read.

A process that exits while show reads it is reported (a JSON "errors"
entry and a line on stderr), in a whole-machine scan too, never cut short
in silence.  The exit is made to fall mid-scan for sure: show's stdout is
a pipe no one reads, so show stops, blocked in pipe_write, inside the
process's sockets; the process then exits and is reaped before the pipe
is drained.  A whole-machine scan in which some processes refuse to be
read (sockopt running as nobody) is a warning and exits 0.
"""
import json
import os
import pwd
import socket
import subprocess
import sys
import time
import unittest

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
SOCKETS = 3000  # about 0.9 MB of JSON, far more than a pipe and show's buffer hold
HOLDER = r"""
import os, resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
port = int(sys.argv[1])
held = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    held.append(s)
print(os.getpid(), flush=True)
sys.stdin.read()
"""


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, deadline=20.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def blocked_writing(pid):
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return "pipe_write" in f.read()
    except OSError:
        return False


class ExitMidScan(unittest.TestCase):
    def run_show_while_holder_exits(self, *show_args):
        port = free_udp_port()
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(port), str(SOCKETS)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        pid = int(holder.stdout.readline())
        args = [a.replace("PID", str(pid)) for a in show_args]
        show = subprocess.Popen([SOCKOPT, "show", "--json", "--port", str(port), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: blocked_writing(show.pid), "show to block on its full stdout")
            holder.stdin.close()  # the holder exits, and is reaped, while show waits
            holder.wait(timeout=30)
            out, err = show.communicate(timeout=60)
        finally:
            holder.stdout.close()
            if holder.poll() is None:
                holder.kill()
            if show.poll() is None:
                show.kill()
        doc = json.loads(out)
        shown = [s for s in doc["sockets"] if s["pid"] == pid]
        errors = [e for e in doc["errors"] if e["pid"] == pid]
        return show.returncode, shown, errors, err.decode(), pid

    def check_reported(self, shown, errors, err, pid):
        self.assertGreater(len(shown), 0)
        self.assertLess(len(shown), SOCKETS)
        self.assertTrue(errors, "no error entry for process %d" % pid)
        self.assertTrue(any(e["error"] in ("ESRCH", "EBADF") for e in errors), errors)
        self.assertEqual(err.count("\n"), 1, err)  # one line on stderr

    def test_explicit_pid(self):
        code, shown, errors, err, pid = self.run_show_while_holder_exits("PID")
        self.check_reported(shown, errors, err, pid)
        self.assertIn("process %d" % pid, err.lower())
        self.assertEqual(code, 1)

    def test_whole_machine(self):
        code, shown, errors, err, pid = self.run_show_while_holder_exits()
        self.check_reported(shown, errors, err, pid)
        self.assertTrue(err.startswith("sockopt: warning: "), err)
        self.assertEqual(code, 0, err)


class RefusedProcesses(unittest.TestCase):
    def test_whole_machine_as_nobody_warns_and_exits_0(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run sockopt as nobody")
        nobody = pwd.getpwnam("nobody").pw_uid
        port = free_udp_port()
        ids = ["setpriv", "--reuid=%d" % nobody, "--regid=%d" % nobody, "--clear-groups"]
        holder = subprocess.Popen([*ids, sys.executable, "-c", HOLDER, str(port), "1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            pid = int(holder.stdout.readline())
            r = subprocess.run([*ids, SOCKOPT, "show", "--json", "--udp"], capture_output=True,
                               timeout=120)
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
            holder.stdout.close()
        doc = json.loads(r.stdout)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(pid, [s["pid"] for s in doc["sockets"]])
        # This test's own python3 runs as root: nobody may not read it.
        refused = [e for e in doc["errors"] if e["pid"] == os.getpid()]
        self.assertEqual(len(refused), 1, doc["errors"][:5])
        self.assertIn(refused[0]["error"], ("EPERM", "EACCES"))
        self.assertIn(b"warning:", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

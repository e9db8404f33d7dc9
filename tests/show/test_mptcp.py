#!/usr/bin/env python3
"""test_mptcp.py: MPTCP sockets are named mptcp, with their real state, as ss -M sees them.

A python3 program opens an MPTCP listener on 127.0.0.1 and ::1 and a
connection to the first; show must name the three sockets "mptcp" or
"mptcp6" with the states LISTEN and ESTABLISHED, and ss -M (the
independent reader) must list the same local addresses in the same states.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import unittest

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
IPPROTO_MPTCP = 262
HOLDER = r"""
import json, os, socket, sys
l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
l4.bind(("127.0.0.1", 0)); l4.listen()
l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 262)
l6.bind(("::1", 0)); l6.listen()
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
c.connect(l4.getsockname())
a, _ = l4.accept()
print(json.dumps({"pid": os.getpid(), "fds": {"l4": l4.fileno(), "l6": l6.fileno(),
      "c": c.fileno(), "a": a.fileno()}}), flush=True)
sys.stdin.read()
"""


def mptcp_available():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP).close()
        return True
    except OSError:
        return False


class Mptcp(unittest.TestCase):
    def setUp(self):
        if not mptcp_available():
            self.skipTest("this kernel makes no MPTCP sockets (net.mptcp.enabled = 0?)")
        self.holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        self.info = json.loads(self.holder.stdout.readline())

    def tearDown(self):
        self.holder.stdin.close()
        self.holder.wait(timeout=30)
        self.holder.stdout.close()

    def test_named_mptcp_with_the_state_ss_sees(self):
        r = subprocess.run([SOCKOPT, "show", "--json", str(self.info["pid"])],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        socks = {s["fd"]: s for s in json.loads(r.stdout)["sockets"]}
        fds = self.info["fds"]
        want = {"l4": ("mptcp", "LISTEN"), "l6": ("mptcp6", "LISTEN"),
                "c": ("mptcp", "ESTABLISHED"), "a": ("mptcp", "ESTABLISHED")}
        for name, (kind, state) in want.items():
            s = socks[fds[name]]
            self.assertEqual((s["kind"], s["state"], s["protocol"]),
                             (kind, state, "IPPROTO_MPTCP"), name)
        if not shutil.which("ss"):
            return
        ss = subprocess.run(["ss", "-Mna"], capture_output=True, text=True, timeout=30).stdout
        for name in ("l4", "l6", "c", "a"):
            s = socks[fds[name]]
            row = [l for l in ss.splitlines()[1:] if s["local"] in l.split()
                   and (s["peer"] or "*") in " ".join(l.split())]
            self.assertTrue(row, "ss -M does not list %s %s" % (s["local"], s["peer"]))
            ss_state = row[0].split()[0].replace("ESTAB", "ESTABLISHED")
            self.assertEqual(ss_state, s["state"], row[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)

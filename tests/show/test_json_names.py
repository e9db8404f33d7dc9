#!/usr/bin/env python3
"""test_json_names.py: every --json output is valid UTF-8 JSON, whatever bytes names hold.

A program in a network namespace of its own (hostile.py) names itself,
its unix sockets and its interface with bytes that are not text.  Every
subcommand's JSON must then decode as strict UTF-8 (python's decoder
refuses surrogates and overlong forms), parse as JSON, hold no lone
surrogate escape, and give the exact bytes back: valid UTF-8 as it is,
anything else through the KEY_hex field beside the string.  Text rows stay
one line per socket, with the names escaped (\\0, \\n, \\xff).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
HERE = os.path.dirname(os.path.abspath(__file__))


def strict_json(data, what):
    """DATA (bytes) as JSON, failing unless it is strict UTF-8 JSON without lone surrogates."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError("%s: not UTF-8: %s" % (what, e))
    doc = json.loads(text)

    def walk(v):
        if isinstance(v, str):
            v.encode("utf-8")  # a lone surrogate from a \\udXXX escape raises here
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc)
    return doc


def exact(obj, key):
    """The exact bytes of string field KEY: KEY_hex when present, else the string as UTF-8."""
    if key + "_hex" in obj:
        return bytes.fromhex(obj[key + "_hex"])
    return obj[key].encode("utf-8")


def sockopt(*args, check=True):
    r = subprocess.run([SOCKOPT, *args], capture_output=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError("sockopt %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                         r.stderr.decode(errors="replace")))
    return r


class HostileNames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            raise unittest.SkipTest("needs root and unshare for a network namespace")
        cls.dir = tempfile.mkdtemp(prefix="sockopt-names-%d-" % os.getpid())
        cls.proc = subprocess.Popen(["unshare", "-n", sys.executable,
                                     os.path.join(HERE, "hostile.py"), cls.dir],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        cls.info = json.loads(cls.proc.stdout.readline())
        cls.pid = str(cls.info["pid"])

    @classmethod
    def tearDownClass(cls):
        cls.proc.stdin.write(b"quit\n")
        cls.proc.stdin.close()
        cls.proc.wait(timeout=10)
        shutil.rmtree(cls.dir)

    def sockets_by_fd(self, doc):
        return {s["fd"]: s for s in doc["sockets"] if s["pid"] == int(self.pid)}

    def test_show_json_gives_the_exact_bytes(self):
        doc = strict_json(sockopt("show", "--json", self.pid).stdout, "show --json")
        socks = self.sockets_by_fd(doc)
        fds = self.info["fds"]
        self.assertEqual(exact(socks[fds["path"]], "comm"), bytes.fromhex(self.info["comm"]))
        self.assertEqual(exact(socks[fds["path"]], "local"), bytes.fromhex(self.info["path"]))
        # The abstract name is whole: "@" for its leading NUL, then every byte, NULs included.
        abstract = socks[fds["abstract"]]
        self.assertNotIn("local_hex", abstract)
        self.assertEqual(abstract["local"].encode(), b"@" + bytes.fromhex(self.info["abstract"])[1:])

    def test_show_all_json_names_the_interface(self):
        doc = strict_json(sockopt("show", "--all", "--json", self.pid).stdout, "show --all --json")
        udp = self.sockets_by_fd(doc)[self.info["fds"]["udp"]]
        bound = [o for o in udp["options"] if o["name"] == "SO_BINDTODEVICE"]
        self.assertEqual(len(bound), 1, udp["options"])
        self.assertEqual(exact(bound[0], "text"), bytes.fromhex(self.info["ifname"]))

    def test_whole_machine_show_all_json_parses(self):
        r = sockopt("show", "--all", "--json", check=False)
        doc = strict_json(r.stdout, "show --all --json (every process)")
        self.assertIn(self.info["fds"]["abstract"], self.sockets_by_fd(doc))

    def test_text_rows_are_one_line_per_socket(self):
        out = sockopt("show", self.pid).stdout.decode("utf-8")
        rows = out.splitlines()[1:]
        self.assertEqual(len(rows), len(self.info["fds"]), out)
        for row in rows:
            self.assertTrue(row.split()[1] == "nm\\xff\\x01q\\nz", row)
        self.assertIn("@abs\\0with\\0nul\\n" + self.pid, out)
        self.assertIn("/x\\xff\\n.sock", out)
        udp = [r for r in rows if r.split()[2] == str(self.info["fds"]["udp"])][0]
        self.assertIn("SO_BINDTODEVICE=l\\xff\\x01x", udp)

    def test_set_dry_run_json(self):
        target = "%s:%d" % (self.pid, self.info["fds"]["tcp"])
        r = sockopt("set", "--dry-run", "--json", target, b"TCP_ULP=a\xff\x01".decode(
            "utf-8", "surrogateescape"), check=False)
        doc = strict_json(r.stdout, "set --dry-run --json")
        requested = doc["changes"][0]["requested"]
        self.assertEqual(exact(requested, "text"), b"a\xff\x01")

    def test_every_other_command(self):
        for args in (["explain", "--json", "SO_BINDTODEVICE"], ["defaults", "--json"],
                     ["list", "--json"], ["limits", "--json"],
                     ["lab", "--json", "unp-buffer-defaults"],
                     ["bench", "udp", "--json", "--duration", "0.2", "--count", "100"]):
            with self.subTest(args=args):
                r = sockopt(*args, check=False)
                self.assertIn(r.returncode, (0, 1), r.stderr)
                strict_json(r.stdout, " ".join(args))


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""test_policy_export.py: `sockopt export` read by Prometheus, node_exporter and promtool.

A python3 program started here holds a known set of sockets (a listener and
three connections with keepalive off, the three accepted ends with it on) under
a process name with a quote, a backslash, a newline and a byte that is not
UTF-8.  Prometheus, started here on a free loopback port with its own storage,
scrapes `sockopt export --listen` and node_exporter (whose textfile collector
reads `sockopt export --textfile`) every second; the test waits for both
scrapes and asks Prometheus's HTTP API for the keepalive count and the
violations of a policy it wrote.  promtool checks the exposition text.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from pyutil import free_port

SOCKOPT = os.path.abspath(os.environ.get("SOCKOPT", "build/sockopt"))
DEADLINE = 60.0  # Prometheus starts and scrapes within seconds; a loaded machine gets more
COMM = b'ex"p\\o\nrt\xff'  # 10 bytes: comm keeps up to 15
# The label value as the exposition format escapes it, and as Prometheus hands it back.
COMM_ESCAPED = 'ex\\"p\\\\o\\nrt\\\\xff'
COMM_DECODED = 'ex"p\\o\nrt\\xff'

HOLDER = r'''
import ctypes, socket, sys
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(%r), 0, 0, 0)  # PR_SET_NAME
listener = socket.socket()
listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 5)  # no BPF iterator reads it
listener.bind(("127.0.0.1", 0))
listener.listen(8)
clients, accepted = [], []
for _ in range(3):
    clients.append(socket.create_connection(listener.getsockname()))
    conn, _ = listener.accept()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    accepted.append(conn)
print(listener.getsockname()[1], flush=True)
sys.stdin.read()
''' % COMM

POLICY = "rule keepalive-on tcp established: SO_KEEPALIVE=on\nrule buffers tcp: SO_RCVBUF>=1K\n"


def wait_for(predicate, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    last = None
    while time.monotonic() < end:
        try:
            value = predicate()
        except OSError as e:  # not listening yet
            value, last = None, e
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s (%s)" % (what, last))


def http_get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


class Export(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sockopt-export-%d-" % os.getpid())
        self.children = []
        self.holder = self.spawn([sys.executable, "-c", HOLDER], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE)
        self.holder_port = int(self.holder.stdout.readline())
        self.policy = os.path.join(self.dir, "test.policy")
        with open(self.policy, "w") as f:
            f.write(POLICY)

    def tearDown(self):
        for child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            for stream in (child.stdin, child.stdout):
                if stream:
                    stream.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def spawn(self, argv, **kw):
        kw.setdefault("stdout", subprocess.DEVNULL)
        child = subprocess.Popen(argv, stderr=subprocess.DEVNULL, cwd=self.dir, **kw)
        self.children.append(child)
        return child

    def export(self, *args):
        return subprocess.run([SOCKOPT, "export", "--policy", self.policy, *args,
                               str(self.holder.pid)], capture_output=True, timeout=60)

    def promtool(self, text):
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_the_exposition_is_clean_and_escapes_any_bytes_of_a_process_name(self):
        r = self.export()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.promtool(r.stdout)
        text = r.stdout.decode("utf-8")  # valid UTF-8 although the name is not
        pid = str(self.holder.pid)
        self.assertIn('sockopt_sockets_keepalive_off{pid="%s",comm="%s",kind="tcp",'
                      'state="ESTABLISHED"} 3\n' % (pid, COMM_ESCAPED), text)
        self.assertIn('sockopt_sockets_keepalive_off{pid="%s",comm="%s",kind="tcp",'
                      'state="LISTEN"} 1\n' % (pid, COMM_ESCAPED), text)
        self.assertIn('sockopt_sockets{pid="%s",comm="%s",kind="tcp",state="ESTABLISHED"} 6\n'
                      % (pid, COMM_ESCAPED), text)
        self.assertRegex(text, r'\nsockopt_listener_option\{pid="%s",comm="%s",kind="tcp",'
                         r'local="127\.0\.0\.1:%d",fd="\d+",option="SO_KEEPALIVE"\} 0\n'
                         % (pid, re.escape(COMM_ESCAPED), self.holder_port))
        self.assertIn('sockopt_policy_violations{rule="keepalive-on"} 3\n', text)
        self.assertIn('sockopt_policy_violations{rule="buffers"} 0\n', text)

    def test_every_reader_exports_the_same_samples(self):
        """auto, bpf and pidfd publish the same samples, TCP_FASTOPEN of the listener among them."""
        samples = {}
        for backend in ("auto", "bpf", "pidfd"):
            r = self.export("--backend", backend)
            if r.returncode == 2 and b"--backend bpf:" in r.stderr:
                continue  # not allowed here (the sentence says why)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.decode("utf-8").splitlines()
            samples[backend] = sorted(l for l in lines if l.startswith("sockopt_")
                                      and not l.startswith("sockopt_scrape"))
            self.assertIn('option="TCP_FASTOPEN"} 5', "\n".join(samples[backend]), backend)
        self.assertEqual(samples["auto"], samples["pidfd"])
        self.assertEqual(samples.get("bpf", samples["pidfd"]), samples["pidfd"])

    def test_the_textfile_is_replaced_whole(self):
        path = os.path.join(self.dir, "sockopt.prom")
        with open(path, "w") as f:
            f.write("stale\n")
        r = self.export("--textfile", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"")
        with open(path, "rb") as f:
            self.promtool(f.read())
        self.assertEqual(sorted(os.listdir(self.dir)), ["sockopt.prom", "test.policy"])

    def query(self, prometheus_port, expr):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (
            prometheus_port, urllib.parse.urlencode({"query": expr}))
        doc = json.loads(http_get(url)[2])
        self.assertEqual(doc["status"], "success", doc)
        return doc["data"]["result"]

    def value(self, prometheus_port, expr):
        """The one sample EXPR gives, as (labels, number), once there is one."""
        result = self.query(prometheus_port, expr)
        return (result[0]["metric"], float(result[0]["value"][1])) if len(result) == 1 else None

    def test_prometheus_scrapes_the_listener_and_node_exporter_reads_the_textfile(self):
        textdir = os.path.join(self.dir, "textfile")
        os.mkdir(textdir)
        self.assertEqual(self.export("--textfile", os.path.join(textdir, "sockopt.prom"))
                         .returncode, 0)
        node_port = free_port()
        self.spawn(["prometheus-node-exporter", "--collector.disable-defaults",
                    "--collector.textfile", "--collector.textfile.directory=" + textdir,
                    "--web.listen-address=127.0.0.1:%d" % node_port])
        exporter = self.spawn([SOCKOPT, "export", "--listen", "127.0.0.1:0", "--policy",
                               self.policy, str(self.holder.pid)], stdout=subprocess.PIPE)
        line = exporter.stdout.readline().decode()
        self.assertRegex(line, r"^sockopt export: serving http://127\.0\.0\.1:\d+/metrics$")
        export_port = int(line.rsplit(":", 1)[1].split("/")[0])
        status, ctype, text = http_get("http://127.0.0.1:%d/metrics" % export_port)
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        self.promtool(text.encode())

        prometheus_port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n"
                    "  - job_name: sockopt\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n"
                    "  - job_name: node\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % (export_port, node_port))
        self.spawn(["prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + os.path.join(self.dir, "tsdb"),
                    "--web.listen-address=127.0.0.1:%d" % prometheus_port])
        wait_for(lambda: http_get("http://127.0.0.1:%d/-/ready" % prometheus_port)[0] == 200,
                 "Prometheus to be ready")
        for job in ("sockopt", "node"):
            expr = 'sum(sockopt_sockets_keepalive_off{job="%s",pid="%d"})' % (job, self.holder.pid)
            labels, number = wait_for(lambda: self.value(prometheus_port, expr),
                                      "a scrape of " + job)
            self.assertEqual(number, 4.0, job)  # the listener and the three clients
            expr = 'sockopt_policy_violations{job="%s",rule="keepalive-on"}' % job
            labels, number = wait_for(lambda: self.value(prometheus_port, expr), job)
            self.assertEqual(number, 3.0, job)
            expr = 'sockopt_sockets{job="%s",pid="%d",state="LISTEN"}' % (job, self.holder.pid)
            labels, number = wait_for(lambda: self.value(prometheus_port, expr), job)
            self.assertEqual((labels["comm"], number), (COMM_DECODED, 1.0), job)
        labels, number = wait_for(lambda: self.value(prometheus_port, "node_textfile_scrape_error"),
                                  "node_exporter's textfile verdict")
        self.assertEqual(number, 0.0)


if __name__ == "__main__":
    unittest.main(verbosity=2)

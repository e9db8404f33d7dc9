#!/bin/sh
# test_args.sh: the command line of every subcommand: flags anywhere, "--", refused combinations, one escaped and shortened error line with stdout empty, help topics, write errors and EPIPE.
set -eu
: "${SOCKOPT:=build/sockopt}"
exec python3 - "$SOCKOPT" <<'PY'
import fcntl, json, os, re, signal, socket, subprocess, sys, threading, time

SOCKOPT = sys.argv[1]
failed = 0


def run(*args, stdout=subprocess.PIPE, **kw):
    """Run sockopt with ARGS (str or bytes); the completed process, bytes output."""
    return subprocess.run([SOCKOPT, *args], stdout=stdout, stderr=subprocess.PIPE, timeout=60, **kw)


def check(desc, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + desc + ("" if ok else ": " + str(detail)))
    failed += not ok


def one_error(desc, r, code, pattern, stdout_empty=True):
    """R exited CODE with nothing on stdout and one stderr line matching PATTERN (bytes regex)."""
    lines = r.stderr.split(b"\n")
    ok = (r.returncode == code and not (stdout_empty and r.stdout) and len(lines) == 2 and lines[1] == b""
          and re.search(pattern, lines[0]) is not None)
    check(desc, ok, "exit %s, stdout %r, stderr %r" % (r.returncode, (r.stdout or b"")[:80], r.stderr[:300]))


commands = [l.split()[0].decode() for l in run("--help").stdout.splitlines()
            if l.startswith(b"  ") and not l.startswith(b"   ")]
check("sockopt --help lists the subcommands", "show" in commands and "run" in commands, commands)

# Flags go anywhere; "--" ends them; --flag=value and -fVALUE give values.
r = run("list", "nodelay", "--json")
check("a flag after an operand is a flag (list nodelay --json)",
      r.returncode == 0 and json.loads(r.stdout)[0]["name"] == "TCP_NODELAY", r)
r = run("explain", "keepidle", "-j")
check("explain OPTION -j prints JSON", r.returncode == 0 and json.loads(r.stdout)["name"] == "TCP_KEEPIDLE", r)
one_error("-- ends the flags: explain -- --json looks for an option named --json",
          run("explain", "--", "--json"), 2, rb'^sockopt: There is no socket option named "--json"')
same = {run(*a).stdout for a in (["list", "--level=tcp"], ["list", "-ltcp"], ["list", "--level", "tcp"],
                                  ["list", "-l", "tcp"])}
check("--level=tcp, -ltcp, --level tcp and -l tcp are the same", len(same) == 1 and b"TCP_NODELAY" in same.pop())
r = run("show", "-tl", "--json", str(os.getpid()))
check("a cluster of switches (-tl) parses", r.returncode in (0, 1) and "sockets" in json.loads(r.stdout), r)

# Option names: '-' and '_' alike, any case, with or without the level.
for name in ("defer_accept", "defer-accept", "tcp.defer_accept", "TCP-Defer-Accept"):
    r = run("explain", name, "--json")
    check("explain %s is TCP_DEFER_ACCEPT" % name,
          r.returncode == 0 and json.loads(r.stdout)["name"] == "TCP_DEFER_ACCEPT", r)
r = run("list", "so.buf_lock", "--json")
check("list so.buf_lock finds SO_BUF_LOCK", r.returncode == 0 and [o["name"] for o in json.loads(r.stdout)]
      == ["SO_BUF_LOCK"], r)
one_error("list PATTERN that matches nothing prints no header, only the error", run("list", "zzzzzz"), 1,
          rb'^sockopt: No option matches "zzzzzz"\.$')
one_error("list --json PATTERN that matches nothing prints no JSON", run("list", "--json", "zzzzzz"), 1,
          rb'No option matches "zzzzzz"')

# Refused combinations and bad flags: exit 2, one line naming the flag, nothing on stdout.
one_error("lab --json --markdown is refused", run("lab", "--json", "--markdown"), 2,
          rb"--json and --markdown cannot be used together")
one_error("lab ID --markdown --json is refused, whatever the order",
          run("lab", "linger-abort", "--markdown", "--json"), 2, rb"--markdown and --json cannot")
for c in commands:
    one_error("sockopt %s names an unknown flag" % c, run(c, "--no-such-flag"), 2,
              rb'^sockopt: %s: unknown flag "--no-such-flag"' % c.encode())
    one_error("sockopt %s names an unknown short flag" % c, run(c, "-%"), 2, rb'unknown flag "-%"')
one_error("a missing value is named", run("show", "--port"), 2, rb"--port needs a value \(N\)")
one_error("a value given to a switch is refused", run("list", "--json=yes"), 2,
          rb'takes no value: "--json=yes"')
one_error("a missing operand is named", run("explain"), 2, rb"explain: OPTION is missing; usage: sockopt explain")
one_error("an extra operand is named", run("explain", "nodelay", "linger"), 2,
          rb'explain: unexpected argument "linger"')

# Arguments are quoted with control characters and bytes that are not UTF-8 escaped, and shortened.
one_error("a newline and an escape in an argument are escaped", run("explain", b"a\nb\x1bc"), 2,
          rb'"a\\nb\\x1bc"')
one_error("bytes that are not UTF-8 are escaped", run("show", b"1\xff"), 2, rb'"1\\xff" is not PID')
r = run("explain", "x" * 10000)
one_error("a 10 KB argument is cut to 64 bytes and …", r, 2, rb'"x{64}\xe2\x80\xa6"')
r = run("run", "-o", "y" * 10000 + "=1", "--", "true")
one_error("a 10 KB spec makes one line of at most 512 bytes and …", r, 2, rb"\xe2\x80\xa6$")
check("... and that line is short", len(r.stderr) < 600, len(r.stderr))
one_error("a 128-character option name is said to be no option",
          run("run", "-o", "x" * 128 + "=1", "--", "true"), 2, rb"no socket option")

# Small texts: a range said as it is; a kind asked for and not made is a failure (exit 1).
one_error("bench --duration 0 says the range it takes", run("bench", "rr", "--duration", "0"), 2,
          rb'--duration takes a number of seconds above 0 and at most 3600 \("0.5", "10"\), not "0"\.$')
if os.geteuid() == 0 and subprocess.run(["which", "setpriv"], capture_output=True).returncode == 0:
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SOCKOPT]
    for args in (["defaults", "raw"], ["defaults", "--json", "tcp", "raw"]):
        one_error("%s as nobody exits 1: the socket could not be made" % " ".join(args),
                  subprocess.run(nobody + args, capture_output=True), 1,
                  rb"^sockopt: defaults raw: A raw socket needs CAP_NET_RAW\.$")
    r = subprocess.run(nobody + ["defaults"], capture_output=True)
    check("plain defaults as nobody skips raw and exits 0", r.returncode == 0 and b"skipped" in r.stdout, r)

# Bare sockopt is a usage error, as ip(8) does it: the usage on stderr, exit 2.
r = run()
check("bare sockopt prints the usage on stderr and exits 2",
      r.returncode == 2 and not r.stdout and r.stderr.startswith(b"usage: sockopt COMMAND"), r)
# sockopt help TOPIC is sockopt TOPIC --help; values is a topic of its own.
for c in commands:
    h, topic = run(c, "--help"), run("help", c)
    check("sockopt help %s is sockopt %s --help, with flags and two examples" % (c, c),
          h.returncode == 0 and h.stdout == topic.stdout and b"\nFlags:\n" in h.stdout
          and h.stdout.split(b"\nExamples:\n")[-1].count(b"\n  sockopt ") + 1 >= 2, h.stdout[-300:])
r = run("help", "values")
check("sockopt help values gives the syntax of values", r.returncode == 0 and b"linger" in r.stdout, r)
one_error("sockopt help nosuch is a usage error", run("help", "nosuch"), 2, rb'no topic "nosuch"')

# A thread is named as a thread of its process.
stop = threading.Event()
t = threading.Thread(target=stop.wait, daemon=True)
t.start()
one_error("a thread id is named as a thread", run("show", str(t.native_id)), 1,
          rb"^sockopt: %d is a thread of process %d, not a process; use %d\.$"
          % (t.native_id, os.getpid(), os.getpid()))

# Several fds that cannot be read are one line; the JSON holds them all.
holder = socket.socket()
holder.bind(("127.0.0.1", 0))
pid = os.getpid()
r = run("show", "%d:0" % pid, "%d:998" % pid, "%d:999" % pid)
check("show P:0 P:998 P:999 says one line and prints no titles",
      r.returncode == 1 and r.stderr.count(b"\n") == 1 and r.stdout == b"", (r.stdout, r.stderr))
# A PID:FD that is no socket: one line naming it and why, and no column titles over nothing.
pipe_r, pipe_w = os.pipe()
one_error("show PID:FD of a pipe names the fd and what it is", run("show", "%d:%d" % (pid, pipe_r)), 1,
          rb"^sockopt: fd %d of process %d \(python3\) is not a socket; it is pipe:\[\d+\]\.$" % (pipe_r, pid))
one_error("show PID:FD of a closed fd says it is not open", run("show", "%d:997" % pid), 1,
          rb"^sockopt: fd 997 of process %d \(python3\) is not open\.$" % pid)
os.close(pipe_r)
os.close(pipe_w)
r = run("show", "%d:%d" % (pid, holder.fileno()))
check("show PID:FD of a socket prints the titles and its row",
      r.returncode == 0 and r.stdout.startswith(b"PID ") and r.stdout.count(b"\n") == 2, r)

# Output that cannot be written: exit 1 and one sentence; a reader that leaves ends it quietly.
full = open("/dev/full", "wb")
target = "%d:%d" % (pid, holder.fileno())
for args in (["list"], ["list", "--json"], ["lab", "--list"], ["--help"], ["show", "--help"],
             ["explain", "nodelay"], ["show", "--json", target], ["set", target, "nodelay=on", "--dry-run"]):
    one_error("sockopt %s >/dev/full exits 1" % " ".join(args), run(*args, stdout=full), 1,
              rb"^sockopt: Cannot write the output")
for ignore in (False, True):
    # A one-page pipe: the catalog does not fit, so sockopt is still writing when the reader leaves.
    rfd, wfd = os.pipe()
    fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, 4096)
    p = subprocess.Popen([SOCKOPT, "list", "--json"], stdout=wfd, stderr=subprocess.PIPE,
                         preexec_fn=(lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN)) if ignore else None)
    os.close(wfd)
    os.read(rfd, 10)
    os.close(rfd)
    err = p.stderr.read()
    code = p.wait()
    check("a reader that leaves ends sockopt list quietly, by SIGPIPE%s" % (" (ignored at start)" if ignore else ""),
          code == -signal.SIGPIPE and err == b"", (code, err))
stop.set()
t.join()
sys.exit(1 if failed else 0)
PY

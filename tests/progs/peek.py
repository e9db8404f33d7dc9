#!/usr/bin/env python3
"""peek.py PID [NAME...]: print the options of another process's sockets, read from outside.

Each socket of PID is copied into this process with pidfd_getfd(2) (root, or
ptrace rights over PID) and read with getsockopt; the process itself is not
touched.  One line per socket: fd, kind, local and peer address, whether it listens, then
NAME=VALUE for each option asked (all of OPTIONS when none is).  Read-only
options with side effects (SO_ERROR) are never read.
"""
import ctypes
import os
import socket
import sys

SYS_PIDFD_OPEN, SYS_PIDFD_GETFD = 434, 438  # the same on every Linux architecture
OPTIONS = {
    "SO_KEEPALIVE": (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
    "SO_REUSEADDR": (socket.SOL_SOCKET, socket.SO_REUSEADDR),
    "SO_RCVBUF": (socket.SOL_SOCKET, socket.SO_RCVBUF),
    "SO_SNDBUF": (socket.SOL_SOCKET, socket.SO_SNDBUF),
    "SO_PRIORITY": (socket.SOL_SOCKET, socket.SO_PRIORITY),
    "TCP_NODELAY": (socket.IPPROTO_TCP, socket.TCP_NODELAY),
    "TCP_KEEPIDLE": (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
    "TCP_KEEPCNT": (socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
    "IP_TTL": (socket.IPPROTO_IP, socket.IP_TTL),
    "IP_TOS": (socket.IPPROTO_IP, socket.IP_TOS),
}
KINDS = {
    (socket.AF_INET, socket.SOCK_STREAM): "tcp",
    (socket.AF_INET6, socket.SOCK_STREAM): "tcp6",
    (socket.AF_INET, socket.SOCK_DGRAM): "udp",
    (socket.AF_INET6, socket.SOCK_DGRAM): "udp6",
    (socket.AF_UNIX, socket.SOCK_STREAM): "unix",
    (socket.AF_UNIX, socket.SOCK_DGRAM): "unix-dgram",
}

libc = ctypes.CDLL(None, use_errno=True)


def syscall(*args):
    r = libc.syscall(*args)
    if r < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return r


def address(call):
    try:
        a = call()
    except OSError:
        return "-"
    if isinstance(a, tuple):
        return "%s:%d" % (a[0], a[1])
    return a or "unnamed"


def main():
    pid, names = int(sys.argv[1]), sys.argv[2:] or list(OPTIONS)
    pidfd = syscall(SYS_PIDFD_OPEN, pid, 0)
    fds = sorted(int(f) for f in os.listdir("/proc/%d/fd" % pid))
    for fd in fds:
        try:
            if not os.readlink("/proc/%d/fd/%d" % (pid, fd)).startswith("socket:"):
                continue
            copy = syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
        except OSError:
            continue  # closed meanwhile
        s = socket.socket(fileno=copy)
        kind = KINDS.get((s.family, s.type), "other")
        listening = s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        fields = ["fd=%d" % fd, "kind=%s" % kind,
                  "local=%s" % address(s.getsockname), "peer=%s" % address(s.getpeername),
                  "listening=%d" % listening]
        for name in names:
            level, opt = OPTIONS[name]
            try:
                fields.append("%s=%d" % (name, s.getsockopt(level, opt)))
            except OSError:
                fields.append("%s=-" % name)
        print(" ".join(fields))
        s.close()
    os.close(pidfd)


main()

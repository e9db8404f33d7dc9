"""pyutil.py: what the python3 tests share (tests/*.py and tests/*/*.py import it)."""
import ctypes
import os
import socket
import time

SYS_PIDFD_GETFD = 438
_libc = ctypes.CDLL(None, use_errno=True)


def free_port():
    """A loopback TCP port that was free a moment ago (the kernel's choice for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, deadline=10.0):
    """PREDICATE's first true value, polled every 50 ms for DEADLINE seconds, or fail naming WHAT."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def nginx_conf(directory, *listens):
    """An nginx.conf for nginx-light: one master and one worker in the foreground, their pid
    file and temporary files in DIRECTORY, answering "ok" on each of LISTENS (nginx's listen
    arguments, e.g. "127.0.0.1:8080 rcvbuf=64k")."""
    servers = " ".join("listen %s;" % listen for listen in listens)
    return """daemon off;
master_process on;
worker_processes 1;
pid %(dir)s/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %(dir)s/body;
    server { %(servers)s location / { return 200 "ok\\n"; } }
}
""" % {"dir": directory, "servers": servers}


def borrowed_socket(pid, fd):
    """Fd FD of process PID as a socket of our own (a pidfd_getfd duplicate), to read its
    options from outside the process; the caller closes it."""
    pidfd = os.pidfd_open(pid)
    dup = _libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
    os.close(pidfd)
    if dup < 0:
        raise OSError(ctypes.get_errno(), "pidfd_getfd")
    return socket.socket(fileno=dup)

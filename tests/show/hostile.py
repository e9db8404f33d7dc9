#!/usr/bin/env python3
"""hostile.py: a program whose names hold bytes that are not text, for the JSON tests.

Run it in a network namespace of its own (unshare -n): it renames the
namespace's loopback interface to b"l\\xff\\x01x" and brings it up, names
itself b"nm\\xff\\x01q\\nz" with prctl(PR_SET_NAME), and opens
  - a unix listener on DIR/b"x\\xff\\n.sock",
  - a unix listener on the abstract name b"\\0abs\\0with\\0nul\\n" + pid,
  - a UDP socket bound to the renamed interface (SO_BINDTODEVICE),
  - a TCP listener on 127.0.0.1.
It prints one JSON line with its pid, the fds and the exact names (hex),
then waits for "quit" (or end of input) on stdin.
"""
import ctypes
import json
import os
import socket
import subprocess
import sys

IFNAME = b"l\xff\x01x"
COMM = b"nm\xff\x01q\nz"
PR_SET_NAME = 15


def main():
    directory = os.fsencode(sys.argv[1])
    subprocess.run([b"ip", b"link", b"set", b"dev", b"lo", b"name", IFNAME], check=True)
    subprocess.run([b"ip", b"link", b"set", b"dev", IFNAME, b"up"], check=True)
    ctypes.CDLL(None).prctl(PR_SET_NAME, COMM, 0, 0, 0)
    path = directory + b"/x\xff\n.sock"
    abstract = b"\0abs\0with\0nul\n%d" % os.getpid()
    unix_path = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_path.bind(path)
    unix_path.listen(1)
    unix_abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_abstract.bind(abstract)
    unix_abstract.listen(1)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFNAME)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(1)
    print(json.dumps({"pid": os.getpid(), "path": path.hex(), "abstract": abstract.hex(),
                      "comm": COMM.hex(), "ifname": IFNAME.hex(),
                      "fds": {"path": unix_path.fileno(), "abstract": unix_abstract.fileno(),
                              "udp": udp.fileno(), "tcp": tcp.fileno()}}), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break


if __name__ == "__main__":
    main()

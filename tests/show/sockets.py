#!/usr/bin/env python3
"""sockets.py: a program that sets socket options itself, for the show and set tests.

It opens a TCP listener, a connection to it (both ends), UDP and UDP6 sockets,
a unix socket pair and two named unix listeners, sets options on them with
setsockopt (strace records these calls), prints one JSON line with its pid and
fds, then answers requests on stdin, one per line:

    get FDNAME LEVEL OPTNAME [SIZE]   -> the option's value read with getsockopt
                                         (an int, or hex bytes when SIZE is given)
    quit                              -> exit
"""
import json
import os
import socket
import struct
import sys


def tcp_sockets(sockets):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 50000)
    client.connect(listener.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 60)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 5))
    client.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x10)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 2, 500000))
    server, _ = listener.accept()
    sockets.update(listener=listener, client=client, server=server)


def other_sockets(sockets, directory):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x28)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
    udp.bind(("127.0.0.1", 0))
    udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    udp6.bind(("::", 0))
    pair_a, pair_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pair_a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
    unix_path = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_path.bind(os.path.join(directory, "listener.sock"))
    unix_path.listen(4)
    unix_abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unix_abstract.bind("\0sockopt-test-%d" % os.getpid())
    sockets.update(udp=udp, udp6=udp6, pair_a=pair_a, pair_b=pair_b,
                   unix_path=unix_path, unix_abstract=unix_abstract)


def answer(sockets, words):
    sock = sockets[words[1]]
    level, name = getattr(socket, words[2]), getattr(socket, words[3])
    if len(words) > 4:
        return sock.getsockopt(level, name, int(words[4])).hex()
    return str(sock.getsockopt(level, name))


def main():
    sockets = {}
    tcp_sockets(sockets)
    other_sockets(sockets, sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    print(json.dumps({
        "pid": os.getpid(),
        "port": sockets["listener"].getsockname()[1],
        "fds": {name: s.fileno() for name, s in sockets.items()},
    }), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        try:
            print(answer(sockets, words), flush=True)
        except (KeyError, AttributeError, OSError) as e:
            print("error %s" % e, flush=True)


if __name__ == "__main__":
    main()

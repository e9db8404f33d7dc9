#!/usr/bin/env python3
"""netpeer.py ROLE ARGS: small python3 network programs for the preload tests.

  serve PORTFILE       TCP listener on 127.0.0.1; writes its port, then accepts
                       and reads each connection until EOF, until killed
  connect PORT         TCP client to 127.0.0.1:PORT; reads until EOF
  udp-serve PORTFILE   UDP socket bound on 127.0.0.1; writes its port, receives
  udp-send PORT        UDP socket that sends to 127.0.0.1:PORT without bind or
                       connect, then waits
  count-serve PORTFILE TCP listener on 127.0.0.1; writes its port, accepts one
                       connection and prints how many bytes came before EOF
  count-connect PORT   TCP client to 127.0.0.1:PORT; prints how many bytes came
                       before EOF
  sockopts KIND...     makes a socket of each kind (tcp, unix, unix-pair) and
                       prints NAME fd SO_SNDBUF
They never set an option themselves: what the tests read was set by the shim.
"""
import os
import socket
import sys
import threading
import time


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(path + ".tmp", path)


def drain(conn):
    while conn.recv(4096):
        pass


def serve(portfile):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    write_port(portfile, listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=drain, args=(conn,), daemon=True).start()


def connect(port):
    conn = socket.create_connection(("127.0.0.1", int(port)))
    drain(conn)


def count(conn):
    total = 0
    while True:
        data = conn.recv(4096)
        if not data:
            break
        total += len(data)
    print("received=%d" % total, flush=True)


def count_serve(portfile):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    write_port(portfile, listener.getsockname()[1])
    count(listener.accept()[0])


def count_connect(port):
    count(socket.create_connection(("127.0.0.1", int(port))))


def udp_serve(portfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    write_port(portfile, s.getsockname()[1])
    while True:
        s.recv(65536)


def udp_send(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"datagram", ("127.0.0.1", int(port)))
    time.sleep(60)


def sockopts(*kinds):
    made = {
        "tcp": lambda: [socket.socket(socket.AF_INET, socket.SOCK_STREAM)],
        "unix": lambda: [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)],
        "unix-pair": lambda: list(socket.socketpair()),
    }
    for kind in kinds:
        for s in made[kind]():
            print(kind, s.fileno(), s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))


roles = {"serve": serve, "connect": connect, "count-serve": count_serve,
         "count-connect": count_connect, "udp-serve": udp_serve, "udp-send": udp_send,
         "sockopts": sockopts}
roles[sys.argv[1]](*sys.argv[2:])

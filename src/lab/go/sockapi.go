// sockapi.go: what Go's net package does with socket options, run by `sockopt lab` (experiment go-socket-api).
//
// It prints one "name=value" line per measured field: the error Go returned
// and the value the kernel then holds, read back with getsockopt through
// SyscallConn.  Standard library only; built at lab time with Debian's Go.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// field prints one measured field.
func field(name string, v interface{}) { fmt.Printf("%s=%v\n", name, v) }

// errName is "OK" for nil, else the errno name when there is one.
func errName(err error) string {
	if err == nil {
		return "OK"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoNames[errno]
	}
	return "error"
}

var errnoNames = map[syscall.Errno]string{
	syscall.EINVAL: "EINVAL", syscall.EPERM: "EPERM", syscall.ENOBUFS: "ENOBUFS",
	syscall.ENOTCONN: "ENOTCONN", syscall.ENOPROTOOPT: "ENOPROTOOPT",
}

// getInt reads an int option through the connection's RawConn.
func getInt(c syscall.Conn, level, opt int) int {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1
	}
	v := -1
	raw.Control(func(fd uintptr) {
		if x, err := syscall.GetsockoptInt(int(fd), level, opt); err == nil {
			v = x
		}
	})
	return v
}

// buffers: UDPConn.SetWriteBuffer and SetReadBuffer, as the blog post calls them (4 MiB).
func buffers() {
	c, err := net.Dial("udp", "127.0.0.1:9")
	if err != nil {
		field("udp_dial", errName(err))
		return
	}
	defer c.Close()
	u := c.(*net.UDPConn)
	field("sndbuf_requested_bytes", 4<<20)
	field("setwritebuffer_err", errName(u.SetWriteBuffer(4<<20)))
	field("sndbuf_after_bytes", getInt(u, syscall.SOL_SOCKET, syscall.SO_SNDBUF))
	field("setwritebuffer_64m_err", errName(u.SetWriteBuffer(64<<20)))
	field("sndbuf_64m_after_bytes", getInt(u, syscall.SOL_SOCKET, syscall.SO_SNDBUF))
	field("setreadbuffer_err", errName(u.SetReadBuffer(4<<20)))
	field("rcvbuf_after_bytes", getInt(u, syscall.SOL_SOCKET, syscall.SO_RCVBUF))
}

// dialerControl: the blog post's Dialer.Control setting TTL and TOS on the fd before connect.
func dialerControl() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		field("listen", errName(err))
		return
	}
	defer l.Close()
	peer := "unset"
	d := &net.Dialer{
		Timeout: time.Second,
		Control: func(network, address string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, 33)
				syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TOS, 0x10)
				_, err := syscall.Getpeername(int(fd))
				peer = errName(err)
			})
		},
	}
	conn, err := d.Dial("tcp", l.Addr().String())
	field("control_dial", errName(err))
	if err != nil {
		return
	}
	defer conn.Close()
	field("control_getpeername", peer)
	tc := conn.(*net.TCPConn)
	field("conn_ttl", getInt(tc, syscall.IPPROTO_IP, syscall.IP_TTL))
	field("conn_tos", getInt(tc, syscall.IPPROTO_IP, syscall.IP_TOS))
}

func main() {
	buffers()
	dialerControl()
	os.Exit(0)
}

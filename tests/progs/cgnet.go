// cgnet.go: a Go server and client for the cgroup tests, built at test time (static with CGO_ENABLED=0, dynamic with cgo); Go makes raw syscalls, so the preload cannot reach it.
//
//	cgnet serve PORTFILE   listens on 127.0.0.1:0 with Go's default keepalive (15 s on accepted
//	                       connections), writes its port, holds every connection until killed
//	cgnet dial PORT        dials with net.Dialer{KeepAlive: 15 * time.Second} and holds the connection
package main

import (
	"net"
	"os"
	"strconv"
	"time"
)

func serve(portfile string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	if err := os.WriteFile(portfile+".tmp", []byte(port+"\n"), 0o644); err != nil {
		panic(err)
	}
	if err := os.Rename(portfile+".tmp", portfile); err != nil {
		panic(err)
	}
	var held []net.Conn
	for {
		c, err := l.Accept()
		if err != nil {
			panic(err)
		}
		held = append(held, c)
	}
}

func dial(port string) {
	d := net.Dialer{KeepAlive: 15 * time.Second}
	c, err := d.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	time.Sleep(time.Hour)
}

func main() {
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2])
	case "dial":
		dial(os.Args[2])
	}
}

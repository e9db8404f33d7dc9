// rpc_server.go: rpc_server [-nodelay=false]: a Go net/rpc service on 127.0.0.1 (port printed), for the policy tests; built at test time.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/rpc"
)

// Echo is the service: Echo.Say returns what it is given.
type Echo struct{}

// Say answers with the request.
func (Echo) Say(in string, out *string) error {
	*out = in
	return nil
}

func main() {
	nodelay := flag.Bool("nodelay", true, "TCP_NODELAY on accepted connections (Go's default is on)")
	flag.Parse()
	rpc.Register(Echo{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	for {
		c, err := l.Accept()
		if err != nil {
			panic(err)
		}
		c.(*net.TCPConn).SetNoDelay(*nodelay)
		go rpc.ServeConn(c)
	}
}

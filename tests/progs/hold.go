// hold.go: hold PORT: the Go twin of hold.c (a client that connects to 127.0.0.1:PORT and reads until EOF), built by the reach tests at test time.
package main

import (
	"io"
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	io.Copy(io.Discard, c)
}

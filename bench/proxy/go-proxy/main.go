// Command go-proxy is the proxy bench's Go contender: `go-proxy <backendPort>`
// runs httputil.NewSingleHostReverseProxy to 127.0.0.1:<backendPort> on one
// core, standard library only. Like the bench's Node children it prints
// {"port":N} once it listens, answers each `cpu` line on stdin with its user
// and system CPU time so far in µs ({"user":U,"system":S}, getrusage) and
// exits when stdin ends.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"syscall"
)

// poolSize matches POOL_SIZE in bench/proxy/proxies.ts.
const poolSize = 128

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) != 2 {
		log.Fatal("usage: go-proxy <backendPort>")
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "127.0.0.1:" + os.Args[1]})
	proxy.Transport = &http.Transport{MaxIdleConns: poolSize, MaxIdleConnsPerHost: poolSize}
	proxy.ErrorHandler = answerBadGateway
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	out := json.NewEncoder(os.Stdout)
	must(out.Encode(map[string]int{"port": ln.Addr().(*net.TCPAddr).Port}))
	go serveCommands(out)
	log.Fatal((&http.Server{Handler: proxy}).Serve(ln))
}

// answerBadGateway answers 502 like the other proxies, and logs the failure
// unless the client left (wrk abandons requests when a run ends).
func answerBadGateway(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, context.Canceled) {
		log.Printf("go-proxy: %v", err)
	}
	w.WriteHeader(http.StatusBadGateway)
}

// serveCommands answers `cpu` lines on stdin and exits when stdin ends.
func serveCommands(out *json.Encoder) {
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		if lines.Text() != "cpu" {
			continue
		}
		var usage syscall.Rusage
		must(syscall.Getrusage(syscall.RUSAGE_SELF, &usage))
		must(out.Encode(map[string]int64{"user": micros(usage.Utime), "system": micros(usage.Stime)}))
	}
	os.Exit(0)
}

func micros(t syscall.Timeval) int64 { return t.Nano() / 1000 }

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

module httpwire.bench/go-proxy

go 1.19

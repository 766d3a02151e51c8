#!/usr/bin/env python3
"""Peers for bench/cli's everyday traffic, run inside the network namespaces bench/cli/everyday.ts
makes. Every mode is bounded in count and time.

  everyday.py serve WEBROOT CERT KEY SECONDS
        in the server namespace, on every address (IPv4 and IPv6): HTTP/1.1 on ports 80 and 8080
        (keep-alive, GET and POST, 301 for a directory without its slash, 404), HTTPS on 443
        (TLS 1.2 and 1.3, whichever the client asks for), DNS on 53 over UDP and TCP (the answers
        of bench/decode/dns.py), UDP echo on 7. Prints "ready" once every socket is bound, stops
        after SECONDS.
  everyday.py dns-tcp ADDR COUNT
        COUNT DNS queries over TCP to ADDR:53, three per connection (as a resolver does after a
        truncated answer, or for zone data).
  everyday.py udp ADDR COUNT
        COUNT datagrams of 600 to 7800 bytes to the echo port 7 (fragmented by the sender, and on
        IPv4 again by the router before the 1280-byte link; on IPv6 the router answers the first
        with Packet Too Big), each fifth to the closed port 9 instead (an ICMP error quoting the
        first fragment). Waits up to 0.3 s for each echo.
"""
import importlib.util
import json
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

_spec = importlib.util.spec_from_file_location("dns", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "decode", "dns.py"))
dns = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dns)


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client says Connection: close

    def log_message(self, *args):
        pass  # nothing to print: the caller discards our output

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = json.dumps({"received": len(body), "path": self.path}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


class DualStackHTTP(ThreadingHTTPServer):
    """One socket for IPv4 and IPv6; no getfqdn() at bind time (it would ask DNS)."""
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        socketserver.TCPServer.server_bind(self)
        self.server_name = "sievecap-bench"
        self.server_port = self.server_address[1]


def https_server(webroot, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])

    class TlsServer(DualStackHTTP):
        def finish_request(self, request, client_address):
            # The handshake runs in the connection's own thread, not in the accepting one.
            request.settimeout(10)  # a stuck client cannot hold a thread past the benchmark
            try:
                request = ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            Handler(request, client_address, self, directory=webroot)
            try:
                request.unwrap()  # close_notify, as a real server sends
            except (ssl.SSLError, OSError):
                pass

    return TlsServer(("::", 443), Handler)


def dual_stack_udp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    return s


def udp_loop(sock, deadline, reply):
    while time.time() < deadline:
        sock.settimeout(max(0.05, min(1.0, deadline - time.time())))
        try:
            msg, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        try:
            sock.sendto(reply(msg), peer)
        except (IndexError, struct.error, UnicodeError, OSError):
            pass  # not a query we understand: dropped, as a real server would


class DnsOverTcp(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            msg = self.rfile.read(struct.unpack("!H", head)[0])
            try:
                ans = dns.answer(msg)
            except (IndexError, struct.error, UnicodeError):
                return
            self.wfile.write(struct.pack("!H", len(ans)) + ans)


class DualStackTCP(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def serve(webroot, cert, key, seconds):
    deadline = time.time() + seconds

    def handler(*args, **kwargs):
        return Handler(*args, directory=webroot, **kwargs)

    servers = [DualStackHTTP(("::", 80), handler), DualStackHTTP(("::", 8080), handler), https_server(webroot, cert, key), DualStackTCP(("::", 53), DnsOverTcp)]
    udp = [(dual_stack_udp(53), dns.answer), (dual_stack_udp(7), lambda m: m)]
    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    for sock, reply in udp:
        threading.Thread(target=udp_loop, args=(sock, deadline, reply), daemon=True).start()
    print("ready", flush=True)
    while time.time() < deadline:
        time.sleep(min(0.5, max(0.0, deadline - time.time())))


def dns_tcp(addr, count):
    types = list(dns.TYPES)
    answered = 0
    for first in range(0, count, 3):
        with socket.create_connection((addr, 53), timeout=2) as s:
            f = s.makefile("rb")
            for i in range(first, min(count, first + 3)):
                name = dns.NAMES[i % len(dns.NAMES)]
                qtype = types[(i // len(dns.NAMES)) % len(types)]
                query = struct.pack("!HHHHHH", (i * 104729) & 0xffff, 0x0100, 1, 0, 0, 0) + dns.encode_name(name) + struct.pack("!HH", qtype, 1)
                s.sendall(struct.pack("!H", len(query)) + query)
                head = f.read(2)
                if len(head) == 2 and len(f.read(struct.unpack("!H", head)[0])) > 0:
                    answered += 1
    print("answered %d of %d over TCP" % (answered, count))


def udp(addr, count):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(0.3)
    echoed = 0
    for i in range(count):
        size = 600 + (i * 1733) % 7200
        payload = (b"sievecap everyday datagram %05d " % i) * (size // 32 + 1)
        port = 9 if i % 5 == 4 else 7
        try:
            s.sendto(payload[:size], (addr, port))
            if port == 7:
                s.recvfrom(65535)
                echoed += 1
        except (socket.timeout, OSError):
            pass  # lost to Packet Too Big, or the ICMP error of the closed port
    print("echoed %d of %d" % (echoed, count))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
    elif mode == "dns-tcp":
        dns_tcp(sys.argv[2], int(sys.argv[3]))
    elif mode == "udp":
        udp(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: everyday.py serve WEBROOT CERT KEY SECONDS | dns-tcp ADDR COUNT | udp ADDR COUNT")

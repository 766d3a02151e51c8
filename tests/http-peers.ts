/** Python peers for the HTTP reassembly tests: a server with chunked, gzip, 204/404 and POST answers, and a client that pipelines requests over one socket. Written to a temp dir and run with python3 inside a test namespace. */

export const SERVER_PY = String.raw`
import gzip, sys, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

def pattern(n, seed):
    # Deterministic, compressible-but-not-trivial body of n bytes.
    unit = ('%s-0123456789abcdefghijklmnopqrstuvwxyz\n' % seed).encode()
    return (unit * (n // len(unit) + 1))[:n]

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, head_only):
        path = urlsplit(self.path).path
        parts = path.strip('/').split('/')
        kind = parts[0]
        n = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if kind == 'chunked':
            body = pattern(n, 'c')
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            if head_only:
                return
            for i in range(0, len(body), 1000):
                piece = body[i:i + 1000]
                self.wfile.write(b'%x;ext=1\r\n' % len(piece) + piece + b'\r\n')
            self.wfile.write(b'0\r\nX-Trailer: yes\r\n\r\n')
            return
        if kind in ('gzip', 'deflate', 'br'):
            raw = pattern(n, kind)
            body = gzip.compress(raw) if kind == 'gzip' else zlib.compress(raw)
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain; charset=utf-8')
            self.send_header('Content-Encoding', 'gzip' if kind == 'gzip' else 'deflate')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            if not head_only:
                self.wfile.write(body)
            return
        if kind == 'nocontent':
            self.send_response(204)
            self.end_headers()
            return
        if kind == 'missing':
            body = b'not here\n'
            self.send_response(404)
        else:
            body = pattern(n if n else len(self.path) % 700 + 10, 'e')
            self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def do_GET(self):
        self.reply(False)

    def do_HEAD(self):
        self.reply(True)

    def do_POST(self):
        length = int(self.headers.get('Content-Length', '0'))
        data = self.rfile.read(length)
        body = b'got %d\n' % len(data)
        self.send_response(201)
        self.send_header('Content-Type', 'application/x-count')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

import socket
ThreadingHTTPServer.allow_reuse_address = True
if ':' in sys.argv[1]:
    ThreadingHTTPServer.address_family = socket.AF_INET6
server = ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
print('serving', flush=True)
server.serve_forever()
`;

export const PIPELINE_PY = String.raw`
# Sends several requests in one write on one connection (HTTP/1.1 pipelining), reads until close.
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
targets = sys.argv[3:]
reqs = []
for i, t in enumerate(targets):
    method, uri = t.split(' ', 1)
    last = i == len(targets) - 1
    reqs.append(('%s %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: pipeline\r\n%s\r\n' % (method, uri, host, port, 'Connection: close\r\n' if last else '')).encode())
s = socket.create_connection((host, port), timeout=10)
s.sendall(b''.join(reqs))
total = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    total += len(d)
s.close()
print(total)
`;

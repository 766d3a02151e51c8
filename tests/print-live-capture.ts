/**
 * Makes a real capture on `lo` for the printer tests: tcpdump writes the file while bounded
 * traffic runs between local peers only (ping to 127.0.0.1 and ::1, curl against
 * `python3 -m http.server`, DNS queries to a tiny Python responder, UDP datagrams to closed
 * ports, a TCP connection refused). Nothing is sent anywhere but the loopback interface.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const TRAFFIC_SCRIPT = String.raw`
import socket, struct, sys, threading
dns_port, udp_port, tcp_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def name(n):
    return b''.join(bytes([len(p)]) + p.encode() for p in n.split('.')) + b'\x00'

srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(('127.0.0.1', dns_port))
srv.settimeout(5)
def serve(count):
    for _ in range(count):
        data, peer = srv.recvfrom(2048)
        qid, flags = struct.unpack('>HH', data[:4])
        end = data.index(b'\x00', 12) + 5
        qname_end = end - 4
        qtype = struct.unpack('>H', data[qname_end:qname_end + 2])[0]
        question = data[12:end]
        if b'missing' in question:
            reply = struct.pack('>HHHHHH', qid, 0x8183, 1, 0, 0, 0) + question
        elif qtype == 28:
            rr = b'\xc0\x0c' + struct.pack('>HHIH', 28, 1, 300, 16) + socket.inet_pton(socket.AF_INET6, '2001:db8::1')
            reply = struct.pack('>HHHHHH', qid, 0x8180, 1, 1, 0, 0) + question + rr
        else:
            rr = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 300, 4) + socket.inet_aton('192.0.2.7')
            rr2 = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 300, 4) + socket.inet_aton('192.0.2.8')
            reply = struct.pack('>HHHHHH', qid, 0x8580, 1, 2, 0, 0) + question + rr + rr2
        srv.sendto(reply, peer)
queries = [('example.com', 1), ('example.com', 28), ('missing.example', 1)]
t = threading.Thread(target=serve, args=(len(queries),))
t.start()
for i, (q, qtype) in enumerate(queries):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(5)
    c.sendto(struct.pack('>HHHHHH', 4660 + i, 0x0100, 1, 0, 0, 0) + name(q) + struct.pack('>HH', qtype, 1), ('127.0.0.1', dns_port))
    c.recvfrom(2048)
    c.close()
t.join()
for family, addr in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    u = socket.socket(family, socket.SOCK_DGRAM)
    for size in (8, 100, 1000):
        u.sendto(b'x' * size, (addr, udp_port))
    u.close()
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.connect((addr, tcp_port))
    except OSError:
        pass
    s.close()
`;

function run(cmd: string, args: string[], timeoutMs = 20000): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

async function freePort(host: string, preferred: number[]): Promise<number> {
  for (const port of [...preferred, 0]) {
    const got = await new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
      });
    });
    if (got !== undefined) return got;
  }
  throw new Error('no free TCP port on 127.0.0.1');
}

async function udpPortFree(port: number): Promise<boolean> {
  const dgram = await import('node:dgram');
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 10000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited early (${code}): ${seen}`));
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid) process.kill(child.pid, signal);
  });
}

export interface LiveCapture {
  dir: string;
  file: string;
  /** HTTP port used: 80 or 8080 make tcpdump decode HTTP; another port if both were busy. */
  httpPort: number;
  dnsPort: number;
}

/** Captures the bounded loopback traffic above into a pcap file in a new temporary folder. */
export async function makeLoopbackCapture(): Promise<LiveCapture> {
  for (const tool of ['tcpdump', 'ping', 'curl', 'python3']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
    if (r.status !== 0) throw new Error(`${tool} is required for the live printer test; install it (Debian package)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sievecap-print-${process.pid}-`));
  const file = path.join(dir, 'lo.pcap');
  const httpPort = await freePort('127.0.0.1', [80, 8080]);
  const dnsPort = (await udpPortFree(53)) ? 53 : 5353;
  const udpPort = 20000 + (process.pid % 20000);
  const tcpPort = await freePort('127.0.0.1', []);
  const filter = `icmp or icmp6 or port ${httpPort} or port ${dnsPort} or port ${udpPort} or port ${tcpPort}`;
  const dump = spawn('tcpdump', ['-i', 'lo', '-n', '--immediate-mode', '-U', '-s', '262144', '-w', file, filter], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const www = fs.mkdtempSync(path.join(dir, 'www-'));
  fs.writeFileSync(path.join(www, 'index.html'), '<html><body>sievecap printer test</body></html>\n');
  let http: ChildProcess | undefined;
  try {
    await waitForOutput(dump, /listening on lo/, 'tcpdump -i lo');
    run('ping', ['-c', '3', '-i', '0.2', '-W', '2', '127.0.0.1']);
    run('ping', ['-6', '-c', '3', '-i', '0.2', '-W', '2', '::1']);
    http = spawn('python3', ['-u', '-m', 'http.server', String(httpPort), '--bind', '127.0.0.1', '--directory', www], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForOutput(http, /Serving HTTP/, 'python3 -m http.server');
    run('curl', ['-s', '-o', '/dev/null', '--max-time', '10', `http://127.0.0.1:${httpPort}/`]);
    run('curl', ['-s', '-o', '/dev/null', '--max-time', '10', `http://127.0.0.1:${httpPort}/missing`]);
    run('python3', ['-c', TRAFFIC_SCRIPT, String(dnsPort), String(udpPort), String(tcpPort)]);
    // Let tcpdump write the last packets before it is stopped (-U flushes per packet).
    await new Promise((r) => setTimeout(r, 1200));
  } finally {
    if (http) await stop(http, 'SIGTERM');
    await stop(dump);
  }
  return { dir, file, httpPort, dnsPort };
}

/** Writes the IPv4 packets of a capture to a new file (tcpdump -r in -w out ip). */
export function ipv4Only(capture: LiveCapture): string {
  const out = path.join(capture.dir, 'lo-ipv4.pcap');
  run('tcpdump', ['-n', '-r', capture.file, '-w', out, 'ip']);
  return out;
}

/**
 * TCP conversations whose PDUs span segments in every way tshark's desegmentation meets them
 * (tests/dissect-desegment-tshark.test.ts compares Sievecap's dissection of them with tshark's):
 * HTTP requests and responses cut inside the first line, the headers and the body; bodies by
 * Content-Length, chunks and up to the FIN; pipelined messages; DNS over TCP cut inside the length
 * prefix and several messages in one segment; TLS records across segments and several in one;
 * a retransmission and a lost segment.
 */
import { TcpConversation, writeConversations } from './tcp-frames';

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

function httpResponse(body: string, headers: string[] = []): Buffer {
  return ascii(`HTTP/1.1 200 OK\r\nServer: test\r\nContent-Type: text/html\r\n${headers.join('')}Content-Length: ${body.length}\r\n\r\n${body}`);
}

const page = (n: number): string => Array.from({ length: n }, (_, k) => `<p>line ${k} of the page</p>\n`).join('');

function dnsMessage(id: number, name: string, response: boolean, address = '192.0.2.7'): Buffer {
  const labels = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), ascii(l)])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(response ? 0x8180 : 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(response ? 1 : 0, 6);
  const question = Buffer.concat([labels, Buffer.from([0, 1, 0, 1])]);
  const answer = response ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...address.split('.').map(Number)]) : Buffer.alloc(0);
  const message = Buffer.concat([header, question, answer]);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}

export function tlsRecord(type: number, body: Buffer): Buffer {
  const header = Buffer.from([type, 3, 3, 0, 0]);
  header.writeUInt16BE(body.length, 3);
  return Buffer.concat([header, body]);
}

function handshake(type: number, body: Buffer): Buffer {
  const header = Buffer.from([type, 0, 0, 0]);
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

export function clientHello(serverName: string): Buffer {
  const name = ascii(serverName);
  const sniList = Buffer.concat([Buffer.from([0, name.length >> 8, name.length & 0xff]), name]);
  const sni = Buffer.concat([Buffer.from([0, 0, 0, sniList.length + 2, 0, sniList.length]), sniList]);
  const extensions = Buffer.concat([Buffer.from([0, sni.length]), sni]);
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0]), Buffer.from([0, 2, 0xc0, 0x2f]), Buffer.from([1, 0]), extensions]);
  return tlsRecord(22, handshake(1, body));
}

export function serverHello(): Buffer {
  const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 9), Buffer.from([0]), Buffer.from([0xc0, 0x2f]), Buffer.from([0]), Buffer.from([0, 0])]);
  return tlsRecord(22, handshake(2, body));
}

/** The conversations, in the order written. */
export function desegmentConversations(): TcpConversation[] {
  const out: TcpConversation[] = [];

  // HTTP: a request cut inside its first line and its headers; a response cut inside the headers
  // and twice in the body; a keep-alive second exchange in one segment each; two pipelined
  // requests in one segment and their responses back to back, the second cut.
  const request = ascii('GET /index.html HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: sievecap-test\r\nAccept: */*\r\n\r\n');
  const first = httpResponse(page(60));
  const http = new TcpConversation({ serverPort: 80, clientPort: 40001 }).handshake()
    .send('client', request, [9, 40])
    .send('server', first, [50, 700, 1800], true)
    .send('client', ascii('GET /second HTTP/1.1\r\nHost: www.example.test\r\n\r\n'))
    .send('server', httpResponse('short body'))
    .send('client', ascii('GET /a HTTP/1.1\r\nHost: www.example.test\r\n\r\nGET /b HTTP/1.1\r\nHost: www.example.test\r\n\r\n'));
  const both = Buffer.concat([httpResponse('first of two'), httpResponse(page(20))]);
  http.send('server', both, [both.length - 300]).fin('client').fin('server');
  out.push(http);

  // A chunked response, cut inside a chunk-size line and inside a chunk; then a response with
  // neither Content-Length nor chunks, which runs to the FIN (an empty FIN segment).
  const chunked = ascii(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n${'a'.repeat(26)}\r\n100\r\n${'b'.repeat(256)}\r\n0\r\n\r\n`);
  out.push(new TcpConversation({ serverPort: 8080, clientPort: 40002 }).handshake()
    .send('client', ascii('GET /chunked HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', chunked, [90, 140])
    .send('client', ascii('GET /close HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'))
    .send('server', ascii(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${'c'.repeat(900)}`), [120, 600])
    .fin('server').fin('client'));

  // HTTP/1.0 response without a length whose last bytes come with the FIN; a 304 without a body.
  out.push(new TcpConversation({ serverPort: 80, clientPort: 40003 }).handshake()
    .send('client', ascii('GET /old HTTP/1.0\r\n\r\n'))
    .send('server', ascii(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n${'d'.repeat(500)}`), [200])
    .fin('server', ascii('the end\n')).fin('client'));
  out.push(new TcpConversation({ serverPort: 80, clientPort: 40004 }).handshake()
    .send('client', ascii('GET /cached HTTP/1.1\r\nHost: h\r\nIf-None-Match: "x"\r\n\r\n'))
    .send('server', ascii('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'))
    .send('client', ascii('GET /after HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', httpResponse('after'))
    .fin('client').fin('server'));

  // A retransmitted body segment and a lost one.
  const long = httpResponse(page(40));
  const lossy = new TcpConversation({ serverPort: 80, clientPort: 40005 }).handshake()
    .send('client', ascii('GET /r HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', long.subarray(0, 600))
    .resend('server', long.subarray(300, 600), 300)
    .send('server', long.subarray(600));
  const lost = httpResponse(page(30));
  lossy.send('client', ascii('GET /lost HTTP/1.1\r\nHost: h\r\n\r\n'))
    .send('server', lost.subarray(0, 400))
    .lose('server', 300)
    .send('server', lost.subarray(700))
    .fin('client').fin('server');
  out.push(lossy);

  // DNS over TCP: a query cut inside its length prefix; two responses in one segment, a third cut.
  const responses = Buffer.concat([dnsMessage(2, 'a.example.test', true), dnsMessage(3, 'bb.example.test', true, '192.0.2.8'), dnsMessage(4, 'ccc.example.test', true, '192.0.2.9')]);
  out.push(new TcpConversation({ serverPort: 53, clientPort: 40006 }).handshake()
    .send('client', dnsMessage(1, 'www.example.test', false), [1])
    .send('client', Buffer.concat([dnsMessage(2, 'a.example.test', false), dnsMessage(3, 'bb.example.test', false), dnsMessage(4, 'ccc.example.test', false)]))
    .send('server', dnsMessage(1, 'www.example.test', true), [20])
    .send('server', responses, [responses.length - 10])
    .fin('client').fin('server'));

  // TLS: a ClientHello cut inside the record header; ServerHello, Change Cipher Spec and the
  // start of a long record in one segment; the record's rest in two; records cut at their ends.
  const appData = tlsRecord(23, Buffer.alloc(3000, 0x5a));
  const flight = Buffer.concat([serverHello(), tlsRecord(20, Buffer.from([1])), appData]);
  const cut = serverHello().length + 6 + 1200;
  out.push(new TcpConversation({ serverPort: 443, clientPort: 40007 }).handshake()
    .send('client', clientHello('www.example.test'), [3])
    .send('server', flight, [cut, cut + 1000], true)
    .send('client', Buffer.concat([tlsRecord(20, Buffer.from([1])), tlsRecord(23, Buffer.alloc(40, 1))]))
    .send('server', Buffer.concat([tlsRecord(23, Buffer.alloc(100, 2)), tlsRecord(23, Buffer.alloc(100, 3))]), [105])
    .fin('client').fin('server'));

  // What tshark's TCP analysis flags: duplicate ACKs after a lost segment and the retransmission
  // that repairs it, a window update, keep-alives and their ACKs, a spurious retransmission.
  const body = ascii(`HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n${'e'.repeat(3000)}`);
  const head = body.length - 3000;
  out.push(new TcpConversation({ serverPort: 8080, clientPort: 40008 }).handshake()
    .send('client', ascii('GET /analysis HTTP/1.1\r\nHost: h\r\n\r\n'))
    .ack('server')
    .send('server', body.subarray(0, head + 1000))
    .lose('server', 1000)
    .send('server', body.subarray(head + 2000, head + 2500))
    .ack('client').ack('client').ack('client')
    .send('server', body.subarray(head + 2500))
    .resend('server', body.subarray(head + 1000, head + 2000), 2000)
    .ack('client', 40000)
    .keepAlive('client').ack('server')
    .keepAlive('client', false)
    .resend('server', body.subarray(head, head + 1000), 3000)
    .fin('client').fin('server'));
  return out;
}

/** Writes desegmentConversations() as a pcap file. */
export function writeDesegmentTraffic(file: string): void {
  writeConversations(file, desegmentConversations());
}

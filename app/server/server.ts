/**
 * `sievecap serve`'s HTTP and WebSocket server: the built UI, the engine protocol over a WebSocket
 * at /rpc, and downloads and uploads of capture files — on 127.0.0.1 only, for the holder of the
 * run's token (security.ts says how the checks keep other pages and other hosts out).
 *
 *   GET  /, /index.html, /assets/…            the renderer's build (static-files.ts)
 *   GET  /rpc (WebSocket)                     engine requests, replies and events as JSON text
 *   GET  /download?session=N&format=pcapng    the session's frames (&view=V: a view's), as an attachment
 *   GET  /object?session=N&index=I&part=P     an HTTP transaction's response (or request) body, as an attachment
 *   POST /upload?name=NAME                    a capture file's bytes; answers {path} for openFile
 *
 * One EngineService serves every connection: a reload or a second tab sees the same sessions, and
 * every event goes to every socket.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EngineService } from '../engine/service';
import { MAX_REQUEST_BYTES } from '../rpc/engine-protocol';
import { ClientConnection, RequestIds } from './connection';
import { sendText, splitTarget } from './http-util';
import { requestGuard, securityHeaders, tokenCookie, newToken, type RequestGuard } from './security';
import type { StaticFiles } from './static-files';
import { Transfers } from './transfers';

export const LOOPBACK = '127.0.0.1';

/** A socket whose peer reads slower than the engine answers is closed past this much unsent data. */
const MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export interface ServerOptions {
  service: EngineService;
  /** 0: any free port. */
  port: number;
  files: StaticFiles;
  /** The run's private folder (mode 700) for uploads and downloads. */
  workDir: string;
  /** Default: 32 fresh random bytes as hex. */
  token?: string;
  maxUploadBytes?: number;
}

export interface RunningServer {
  readonly port: number;
  readonly token: string;
  /** http://127.0.0.1:PORT/?token=TOKEN */
  readonly url: string;
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Closes every socket and stops listening. */
  close(): Promise<void>;
}

/** A listen() failure, as a sentence a user can act on. */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { service, files } = options;
  const token = options.token ?? newToken();
  const ids = new RequestIds();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES, perMessageDeflate: false });
  const transfers = new Transfers({ service, ids, workDir: options.workDir, maxUploadBytes: options.maxUploadBytes });
  let guard: RequestGuard | undefined;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): void => {
    const g = guard!;
    const target = splitTarget(req.url);
    const refusal = target === null ? 'only paths of this server are served' : g.check(req, target.query.get('token'), false);
    if (refusal !== null) {
      sendText(res, 403, `Forbidden: ${refusal}`, { ...securityHeaders(null), Connection: 'close' });
      return;
    }
    const { pathname, query } = target!;
    const headers = securityHeaders(g.originOf(req));
    // The first page load carries the token in its URL; the cookie lets the page's assets, a reload
    // and the WebSocket through without it (JavaScript cannot read it: HttpOnly).
    if (query.get('token')) headers['Set-Cookie'] = tokenCookie(g.port, token);
    const method = req.method ?? 'GET';
    if (pathname === '/upload') {
      if (method !== 'POST') return sendText(res, 405, 'an upload is a POST to /upload?name=NAME', { ...headers, Allow: 'POST' });
      void transfers.upload(req, res, query, headers, expectsContinue).catch((err: Error) => sendText(res, 500, `the upload failed: ${err.message}`, headers));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return sendText(res, 405, `${method} is not served here`, { ...headers, Allow: 'GET, HEAD, POST' });
    if (expectsContinue) res.writeContinue();
    if (pathname === '/download') {
      void transfers.download(req, res, query, headers).catch((err: Error) => sendText(res, 500, `the download failed: ${err.message}`, headers));
      return;
    }
    if (pathname === '/object') {
      void transfers.object(req, res, query, headers).catch((err: Error) => sendText(res, 500, `the download failed: ${err.message}`, headers));
      return;
    }
    if (pathname === '/rpc') return sendText(res, 426, 'the engine is reached through a WebSocket at /rpc', { ...headers, Upgrade: 'websocket' });
    const found = files.lookup(pathname);
    if (found.kind === 'refused') return sendText(res, 403, `Forbidden: ${found.reason}`, headers);
    if (found.kind === 'missing') return sendText(res, 404, `${decodeURI(pathname)} is not part of the UI`, headers);
    const file = found.file;
    res.writeHead(200, {
      ...headers,
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      // Vite names its assets by their content's hash; the page itself must never be cached (it is per-run).
      'Cache-Control': file.name.startsWith('assets/') ? 'private, max-age=31536000, immutable' : 'no-store',
    });
    res.end(method === 'HEAD' ? undefined : file.body);
  };

  const server = http.createServer({ requestTimeout: 0 }, (req, res) => handle(req, res, false));
  server.on('checkContinue', (req, res) => handle(req, res, true));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const target = splitTarget(req.url);
    const refuse = (status: number, reason: string): void => {
      const body = Buffer.from(`${reason}\n`, 'utf8');
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('utf8')}`,
      );
    };
    if (target === null || target.pathname !== '/rpc') return refuse(404, 'the engine is reached through a WebSocket at /rpc');
    const refusal = guard!.check(req, target.query.get('token'), true);
    if (refusal !== null) return refuse(403, `Forbidden: ${refusal}`);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => undefined);
    const connection = new ClientConnection(service, ids, (message) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'the page reads the engine’s messages too slowly');
        return;
      }
      ws.send(JSON.stringify(message));
    });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      connection.receive(text);
    });
    ws.on('close', () => connection.detach());
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') {
        reject(new ListenError(`port ${options.port} on ${LOOPBACK} is in use (another sievecap serve?): choose another with --port N, or --port 0 for any free port`, 'EADDRINUSE'));
      } else if (err.code === 'EACCES') {
        reject(new ListenError(`port ${options.port} needs privileges to listen on: choose one above 1023 with --port N, or --port 0 for any free port`, 'EACCES'));
      } else reject(new ListenError(`cannot listen on ${LOOPBACK}:${options.port}: ${err.message}`, err.code ?? 'EIO'));
    };
    server.once('error', onError);
    server.listen({ host: LOOPBACK, port: options.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  guard = requestGuard(port, token);

  let closing: Promise<void> | undefined;
  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    get connections() {
      return wss.clients.size;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        transfers.close();
        for (const ws of wss.clients) ws.close(1001, 'sievecap serve stopped');
        // Sockets that do not finish the closing handshake at once are cut.
        const cut = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
        }, 500);
        cut.unref();
        wss.close();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
        // Downloads and uploads still running are cut: their files go with the work folder.
        setTimeout(() => server.closeAllConnections(), 600).unref();
      });
      return closing;
    },
  };
}

/**
 * `sievecap serve`'s GET /object?session=N&index=I[&part=request|response]: one HTTP body, as File >
 * Export Objects > HTTP writes it, for the token's holder only; an attachment under tshark's name,
 * sent as application/octet-stream whatever its content type; the bytes `--export-objects http,DIR`
 * writes. The server runs in this process (startServer) on 127.0.0.1 with a tiny UI folder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { EngineService } from '../app/engine/service';
import { sampleTraffic, writeCapture } from '../app/engine/service/test-traffic';
import { startServer, type RunningServer } from '../app/server/server';
import { StaticFiles } from '../app/server/static-files';
import { sievecap } from './support/sievecap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-serve-object-'));
const capture = path.join(tmp, 'http.pcap');
const work = path.join(tmp, 'work');
let service: EngineService;
let server: RunningServer;
let session: number;

before(async () => {
  writeCapture(capture, sampleTraffic({ connections: 4, dnsQueries: 2 }));
  const ui = path.join(tmp, 'ui');
  fs.mkdirSync(ui);
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>t</title>');
  fs.mkdirSync(work, { mode: 0o700 });
  service = new EngineService({ spoolDir: tmp, configDir: path.join(tmp, 'config') });
  server = await startServer({ service, port: 0, files: StaticFiles.load(ui), workDir: work });
  const opened = await service.handle({ id: 1, method: 'openFile', path: capture });
  assert.equal(opened.type, 'result');
  session = (opened.result as { session: number }).session;
});

after(async () => {
  await server?.close();
  service?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function get(pathAndQuery: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathAndQuery, headers: { Host: `127.0.0.1:${server.port}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The private copies go once sent (just after the last byte left). */
async function downloadsEmpty(): Promise<void> {
  const dir = path.join(work, 'downloads');
  for (let k = 0; k < 100 && fs.readdirSync(dir).length > 0; k++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(fs.readdirSync(dir), [], 'the private copy goes once sent');
}

test('/object: the token is required, as on every other route', async () => {
  assert.equal((await get(`/object?session=${session}&index=1`)).status, 403);
  assert.equal((await get(`/object?session=${session}&index=1&token=${'0'.repeat(64)}`)).status, 403);
  assert.equal((await get(`/object?session=${session}&index=1&token=${server.token}`, { Host: 'evil.test' })).status, 403, 'the Host rule');
  assert.equal((await get(`/object?session=${session}&index=1&token=${server.token}`, { Origin: 'http://evil.test' })).status, 403, 'a foreign Origin');
  // The cookie the first page load set lets it through, as the page's own download links.
  const cookie = `sievecap-token-${server.port}=${server.token}`;
  assert.equal((await get(`/object?session=${session}&index=1`, { Cookie: cookie })).status, 200);
});

test('/object: an attachment named as tshark names it, application/octet-stream, the bytes --export-objects writes', async () => {
  const cliDir = path.join(tmp, 'cli');
  const r = sievecap(['-r', capture, '--export-objects', `http,${cliDir}`]);
  assert.equal(r.status, 0, r.stderr);
  for (const index of [0, 1, 3]) {
    const answer = await get(`/object?session=${session}&index=${index}&token=${server.token}`);
    assert.equal(answer.status, 200, answer.body.toString());
    // GET /item/K answered with text/plain: the file is named K; never rendered inline.
    assert.equal(answer.headers['content-type'], 'application/octet-stream');
    assert.equal(answer.headers['content-disposition'], `attachment; filename="${index}"; filename*=UTF-8''${index}`);
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.ok(answer.headers['content-security-policy']);
    assert.equal(Number(answer.headers['content-length']), answer.body.length);
    assert.ok(answer.body.equals(fs.readFileSync(path.join(cliDir, String(index)))), `object ${index}: the CLI's bytes`);
    const explicit = await get(`/object?session=${session}&index=${index}&part=response&token=${server.token}`);
    assert.ok(explicit.body.equals(answer.body));
  }
  await downloadsEmpty();
});

test('/object: what it refuses, saying why', async () => {
  const t = `&token=${server.token}`;
  const noBody = await get(`/object?session=${session}&index=0&part=request${t}`);
  assert.equal(noBody.status, 404);
  assert.match(noBody.body.toString(), /no request body/);
  const missing = await get(`/object?session=${session}&index=99${t}`);
  assert.equal(missing.status, 404);
  assert.match(missing.body.toString(), /no HTTP transaction 99/);
  assert.equal((await get(`/object?session=999&index=0${t}`)).status, 404);
  assert.equal((await get(`/object?session=${session}&index=0&part=headers${t}`)).status, 400);
  assert.equal((await get(`/object?session=${session}${t}`)).status, 400);
  assert.equal((await get(`/object?session=${session}&index=-1${t}`)).status, 400);
  await downloadsEmpty();
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { mimeType, StaticFiles } from './static-files';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-static-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('a folder without index.html is not a UI build', () => {
  const empty = path.join(root, 'empty');
  fs.mkdirSync(empty);
  assert.throws(() => StaticFiles.load(empty), /the UI is not built: run npm run build:renderer/);
  assert.throws(() => StaticFiles.load(path.join(root, 'missing')), /the UI is not built/);
});

test('lookups: / is index.html; only files of the folder; . and .. refused', () => {
  const ui = path.join(root, 'ui');
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(ui, 'assets', 'a b.js'), 'x');
  fs.writeFileSync(path.join(root, 'outside.txt'), 'secret');
  fs.symlinkSync(path.join(root, 'outside.txt'), path.join(ui, 'link.txt'));
  const files = StaticFiles.load(ui);
  assert.equal(files.size, 2, 'symbolic links are not followed');
  const found = files.lookup('/');
  assert.equal(found.kind === 'file' && found.file.name, 'index.html');
  assert.equal(found.kind === 'file' && found.file.contentType, 'text/html; charset=utf-8');
  const spaced = files.lookup('/assets/a%20b.js');
  assert.equal(spaced.kind === 'file' && spaced.file.contentType, 'text/javascript; charset=utf-8');
  assert.equal(files.lookup('/link.txt').kind, 'missing');
  assert.equal(files.lookup('/assets/').kind, 'missing');
  for (const p of ['/../outside.txt', '/assets/../index.html', '/%2e%2e/outside.txt', '/assets/..%2F..%2Foutside.txt', '/./index.html', '/a%5Cb', '/index.html%00', '/%E0%A4%A']) {
    assert.equal(files.lookup(p).kind, 'refused', p);
  }
});

test('MIME types', () => {
  assert.equal(mimeType('x.css'), 'text/css; charset=utf-8');
  assert.equal(mimeType('x.SVG'), 'image/svg+xml');
  assert.equal(mimeType('x.woff2'), 'font/woff2');
  assert.equal(mimeType('x.wasm'), 'application/wasm');
  assert.equal(mimeType('x'), 'application/octet-stream');
});

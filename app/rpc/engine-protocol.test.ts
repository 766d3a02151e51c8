/** The engine protocol's schema: every method parses, bad requests are answered with their id and a sentence, sizes are bounded. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EngineResults,
  MAX_PAGE_ROWS,
  MAX_REQUEST_BYTES,
  parseEngineMessage,
  parseEngineRequest,
  parseEngineResult,
  type EngineMethod,
} from './engine-protocol';

const GOOD: Record<EngineMethod, Record<string, unknown>> = {
  openFile: { path: '/tmp/a.pcapng' },
  openLive: { interfaces: [{ linkType: 1, name: 'lo' }] },
  sessionInfo: { session: 1 },
  listSessions: {},
  rows: { session: 1, start: 0, count: 50, view: 2, time: { format: 'ad', precision: 3, hms: false } },
  packet: { session: 1, number: 1 },
  checkFilter: { filter: 'tcp.port == 80' },
  createView: { session: 1, filter: 'dns' },
  updateView: { session: 1, view: 2, filter: 'http' },
  dropView: { session: 1, view: 2 },
  createReport: { session: 1, spec: 'conv,tcp' },
  readReport: { session: 1, report: 3, format: 'both' },
  dropReport: { session: 1, report: 3 },
  cancel: { request: 4 },
  closeSession: { session: 1 },
  listInterfaces: {},
  checkCaptureFilter: { filter: 'tcp port 80', interface: 'veth0' },
  startCapture: { interfaces: ['veth0', 'lo'], filter: 'not port 22', snapLen: 96, promiscuous: false, preset: 'not-my-ssh' },
  stopCapture: { session: 1 },
  watch: { session: 1, rules: [{ name: 'lab', prefixes: ['10.1.0.0/16', 'fd00::/8'] }, { name: 'empty', prefixes: [] }] },
  setCaptureFilter: { session: 1, filter: 'udp port 53', stages: { trafficMix: true, watchlist: { rules: [{ name: 'dns', prefixes: ['10.0.0.53'] }] } }, preset: 'dns' },
  saveFile: { session: 1, path: '/tmp/out.pcapng', format: 'pcapng', view: 2, marked: true, ranges: [{ first: 1, last: 10 }], removeIgnored: true },
  setFrameFlag: { session: 1, flag: 'marked', value: true, frames: [3, 4], displayed: true, view: 2 },
  findFrame: { session: 1, view: 2, from: 7, backwards: true, find: { kind: 'hex', bytes: '0a0B' } },
  setDecodeAs: { session: 1, decodeAs: [{ transport: 'tcp', port: 8080, protocol: 'http' }] },
  captureProperties: { session: 1 },
  conversations: { session: 1, kind: 'tcp', view: 2 },
  followStream: { session: 1, protocol: 'tcp', stream: 0 },
  httpTransactions: { session: 1, start: 0, count: 50 },
  httpTransaction: { session: 1, index: 3 },
  httpObjects: { session: 1 },
  exportHttpObjects: { session: 1, directory: '/tmp/objects', indexes: [0, 3], part: 'response' },
  listPresets: {},
  savePreset: { preset: { name: 'lab hosts', description: 'the lab', filter: 'net 10.1.0.0/16', snapLen: 128, interfaces: ['veth0'] } },
  deletePreset: { name: 'lab hosts' },
  recentFiles: {},
};

test('engine protocol: a request of every method parses', () => {
  assert.deepEqual(Object.keys(GOOD).sort(), Object.keys(EngineResults).sort(), 'every method has a result schema and a sample here');
  let id = 1;
  for (const [method, params] of Object.entries(GOOD)) {
    const message = { id: id++, method, ...params };
    const parsed = parseEngineRequest(message);
    assert.ok(parsed.ok, `${method}: ${parsed.ok ? '' : parsed.error.message}`);
    assert.deepEqual(parsed.request, message);
    // JSON text (a WebSocket) parses the same.
    const fromText = parseEngineRequest(JSON.stringify(message));
    assert.ok(fromText.ok && fromText.request.method === method);
  }
});

test('engine protocol: bad requests are answered with their id, method and the offending field', () => {
  const cases: Array<[unknown, number | null, string, RegExp]> = [
    [null, null, 'EBADMSG', /malformed request/],
    ['{"id": 1,', null, 'EBADMSG', /not valid JSON/],
    [{ method: 'rows', session: 1, start: 0, count: 1 }, null, 'EBADMSG', /id/],
    [{ id: 3, method: 'launchMissiles' }, 3, 'EBADMSG', /method/],
    [{ id: 4, method: 'rows', session: 1, start: 0, count: MAX_PAGE_ROWS + 1 }, 4, 'EBADMSG', /count: a page has at most 1000 rows/],
    [{ id: 5, method: 'rows', session: 0, start: 0, count: 1 }, 5, 'EBADMSG', /session/],
    [{ id: 6, method: 'packet', session: 1, number: 1.5 }, 6, 'EBADMSG', /number/],
    [{ id: 7, method: 'openFile', path: '' }, 7, 'EBADMSG', /path: a file path is empty/],
    [{ id: 8, method: 'openFile', path: 'a\0b' }, 8, 'EBADMSG', /NUL/],
    [{ id: 9, method: 'createView', session: 1, filter: 'x'.repeat(16 * 1024 + 1) }, 9, 'EBADMSG', /at most 16384 characters/],
    [{ id: 10, method: 'closeSession', session: 1, force: true }, 10, 'EBADMSG', /force/],
    [{ id: 11, method: 'readReport', session: 1, report: 1, format: 'xml' }, 11, 'EBADMSG', /format/],
    [{ id: 12, method: 'openLive', interfaces: [] }, 12, 'EBADMSG', /at least one interface/],
    [{ id: 20, method: 'startCapture', interfaces: [], filter: '' }, 20, 'EBADMSG', /at least one interface/],
    [{ id: 21, method: 'startCapture', interfaces: ['veth0'] }, 21, 'EBADMSG', /filter/],
    [{ id: 22, method: 'startCapture', interfaces: ['a/b'], filter: '' }, 22, 'EBADMSG', /slashes/],
    [{ id: 23, method: 'startCapture', interfaces: ['averylonginterfacename'], filter: '' }, 23, 'EBADMSG', /at most 15 characters/],
    [{ id: 24, method: 'startCapture', interfaces: ['lo'], filter: '', snapLen: 0 }, 24, 'EBADMSG', /snapLen/],
    [{ id: 25, method: 'checkCaptureFilter', filter: 'x'.repeat(16 * 1024 + 1) }, 25, 'EBADMSG', /at most 16384 characters/],
    [{ id: 26, method: 'saveFile', session: 1, path: '/tmp/x', format: 'erf' }, 26, 'EBADMSG', /format/],
    [{ id: 27, method: 'savePreset', preset: { name: '-x', description: '', filter: '' } }, 27, 'EBADMSG', /preset.name: a preset name starts with a letter or digit/],
    [{ id: 28, method: 'savePreset', preset: { name: 'x', filter: '' } }, 28, 'EBADMSG', /description/],
    [{ id: 29, method: 'savePreset', preset: { name: 'x', description: '', filter: '', builtin: false } }, 29, 'EBADMSG', /builtin/],
    [{ id: 30, method: 'deletePreset', name: '' }, 30, 'EBADMSG', /name: a preset name is empty/],
    [{ id: 31, method: 'watch', session: 1, rules: [{ name: 'a', prefixes: [] }, { name: 'a', prefixes: ['10.0.0.1'] }] }, 31, 'EBADMSG', /rules: a rule name is used twice/],
    [{ id: 32, method: 'watch', session: 1, rules: Array.from({ length: 65 }, (_, k) => ({ name: `r${k}`, prefixes: [] })) }, 32, 'EBADMSG', /rules: a watchlist has at most 64 rules/],
    [{ id: 33, method: 'watch', session: 1, rules: [{ name: '', prefixes: [] }] }, 33, 'EBADMSG', /rules\.0\.name: a rule has a name/],
    [{ id: 34, method: 'watch', session: 1, rules: [{ name: 'x', prefixes: ['1'.repeat(65)] }] }, 34, 'EBADMSG', /rules\.0\.prefixes\.0: a CIDR prefix has at most 64 characters/],
    [{ id: 35, method: 'setCaptureFilter', session: 1 }, 35, 'EBADMSG', /filter/],
    [{ id: 36, method: 'setCaptureFilter', session: 1, filter: '', stages: { watchlist: { rules: [] } } }, 36, 'EBADMSG', /stages\.watchlist\.rules: a watchlist has at least one rule/],
    [{ id: 37, method: 'setCaptureFilter', session: 1, filter: '', stages: { bogus: true } }, 37, 'EBADMSG', /bogus/],
    [{ id: -1, method: 'listSessions' }, null, 'EBADMSG', /id/],
    [JSON.stringify({ id: 13, method: 'checkFilter', filter: 'x'.repeat(MAX_REQUEST_BYTES) }), null, 'EMSGSIZE', /larger than 65536 bytes/],
  ];
  for (const [message, id, code, pattern] of cases) {
    const parsed = parseEngineRequest(message);
    assert.equal(parsed.ok, false, JSON.stringify(message)?.slice(0, 80));
    if (parsed.ok) continue;
    assert.equal(parsed.id, id, `${JSON.stringify(message)?.slice(0, 80)}: id`);
    assert.equal(parsed.error.code, code);
    assert.match(parsed.error.message, pattern);
  }
  const named = parseEngineRequest({ id: 4, method: 'rows', session: 1, start: 0, count: 5000 });
  assert.equal(!named.ok && named.method, 'rows');
});

test('engine protocol: a client validates replies and events and rejects anything else', () => {
  assert.deepEqual(parseEngineMessage({ type: 'result', id: 1, method: 'cancel', result: { request: 3, cancelled: true } }), { type: 'result', id: 1, method: 'cancel', result: { request: 3, cancelled: true } });
  assert.deepEqual(parseEngineResult('cancel', { request: 3, cancelled: true }), { request: 3, cancelled: true });
  parseEngineMessage({ type: 'error', id: null, method: null, error: { code: 'EBADMSG', message: 'x' } });
  parseEngineMessage({ type: 'event', event: 'framesAppended', session: 1, frames: 10, views: [{ view: 2, matches: 1, framesDone: 10 }] });
  parseEngineMessage({ type: 'event', event: 'progress', request: null, session: 1, task: 'filter', done: 5, total: 10, frames: 10, view: 2, matches: 1 });
  assert.throws(() => parseEngineMessage({ type: 'event', event: 'framesAppended', session: 1, frames: -1, views: [] }), /malformed message: frames/);
  assert.throws(() => parseEngineMessage({ type: 'result', id: 1, method: 'nope', result: 1 }), /malformed/);
  assert.throws(() => parseEngineResult('rows', { total: 1, start: 0, view: null, rows: [{ number: 1, time: 5n }] }), /rows result is malformed/);
  assert.throws(() => parseEngineResult('packet', { bytes: Buffer.from('x') }), /malformed/);
});

test('engine protocol: the live-capture events and results parse; a bad one is named', () => {
  const statistics = [{ interface: 'veth0', received: 10, dropped: 0, seenPackets: 12, acceptedPackets: 10 }];
  parseEngineMessage({ type: 'event', event: 'captureStatistics', session: 1, statistics });
  parseEngineMessage({ type: 'event', event: 'captureError', session: 1, interface: 'veth0', error: { code: 'ENODEV', message: 'eth0: The interface disappeared' } });
  parseEngineMessage({ type: 'event', event: 'captureError', session: 1, interface: null, error: { code: 'ENOHELPER', message: 'the capture helper was killed' } });
  parseEngineMessage({ type: 'event', event: 'progress', request: 4, session: 1, task: 'save', done: 5, total: 10, frames: 10 });
  assert.throws(() => parseEngineMessage({ type: 'event', event: 'captureStatistics', session: 1, statistics: [{ ...statistics[0], dropped: -1 }] }), /statistics\.0\.dropped/);
  parseEngineResult('stopCapture', { session: 1, statistics });
  // The watchlist's counters and the traffic mix, when the capture has those stages.
  const withStages = [{
    ...statistics[0],
    rules: [{ name: 'lab', packets: 4, bytes: 392 }],
    mix: { ethertypes: [{ ethertype: 0x0800, packets: 12, bytes: 1000 }], ipProtocols: [{ protocol: 1, packets: 12, bytes: 1000 }] },
  }];
  parseEngineMessage({ type: 'event', event: 'captureStatistics', session: 1, statistics: withStages });
  assert.throws(() => parseEngineMessage({ type: 'event', event: 'captureStatistics', session: 1, statistics: [{ ...withStages[0], rules: [{ name: 'lab', packets: -1, bytes: 0 }] }] }), /statistics\.0\.rules\.0\.packets/);
  parseEngineResult('watch', { session: 1, rules: [{ name: 'lab', prefixes: ['10.0.0.0/8'] }] });
  parseEngineResult('setCaptureFilter', { session: 1, filter: 'udp', preset: null });
  parseEngineResult('saveFile', { path: '/tmp/a.pcap', format: 'pcap', frames: 3, bytes: 300 });
  parseEngineResult('listPresets', { presets: [{ name: 'all', description: 'Every packet', filter: '', builtin: true }], file: '/tmp/config/sievecap/presets.json', problem: null });
  parseEngineResult('recentFiles', { files: [{ path: '/tmp/a.pcap', openedAt: 1, exists: false }] });
  parseEngineResult('listInterfaces', {
    interfaces: [{ name: 'lo', index: 1, up: true, running: true, loopback: true, linkType: 1, addresses: ['127.0.0.1/8'], rxPackets: 1, txPackets: 1, rxBytes: 60, txBytes: 60 }],
    time: 1,
  });
  assert.throws(() => parseEngineResult('checkCaptureFilter', { filter: 'tcp', instructions: -1 }), /instructions/);
});

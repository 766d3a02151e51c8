import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModbusDissector } from './modbus';
import type { AppContext, AppResult, Field } from './model';

const client: AppContext = { transport: 'tcp', srcPort: 40000, dstPort: 502, frameNumber: 1, src: '10.0.0.2', dst: '10.0.0.1' };
const server: AppContext = { ...client, srcPort: 502, dstPort: 40000, src: '10.0.0.1', dst: '10.0.0.2' };

function fieldTexts(r: AppResult, abbrev: string): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (f.abbrev === abbrev) out.push(f.text);
      if (f.children) walk(f.children);
    }
  };
  for (const layer of r.layers) walk(layer.fields);
  return out;
}

test('Modbus/TCP: a request and its response, registers numbered from the request (tests/dissect-tcp-apps-tshark.test.ts compares with tshark)', () => {
  const modbus = createModbusDissector();
  const say = (ctx: AppContext, frameNumber: number, hex: string): AppResult => {
    const bytes = Buffer.from(hex, 'hex');
    return modbus.dissect(bytes, 0, bytes.length, { ...ctx, frameNumber });
  };
  const query = say(client, 1, '000100000006010300100002');
  assert.deepEqual(query.layers.map((l) => l.protocol), ['mbtcp', 'modbus']);
  assert.deepEqual(query.chain, ['mbtcp', 'modbus']);
  assert.equal(query.protocolColumn, 'Modbus/TCP');
  assert.equal(query.info, '   Query: Trans:     1; Unit:   1, Func:   3: Read Holding Registers');
  assert.deepEqual(fieldTexts(query, 'modbus.reference_num'), ['16']);
  assert.deepEqual(fieldTexts(query, 'modbus.word_cnt'), ['2']);

  const response = say(server, 2, '00010000000701030400070008');
  assert.equal(response.info, 'Response: Trans:     1; Unit:   1, Func:   3: Read Holding Registers');
  assert.deepEqual(fieldTexts(response, 'modbus.regnum16'), ['16', '17']);
  assert.deepEqual(fieldTexts(response, 'modbus.regval_uint16'), ['7', '8']);
  assert.deepEqual(fieldTexts(response, 'modbus.request_frame'), ['1']);

  const exception = say(server, 3, '000200000003018302');
  assert.equal(exception.info, 'Response: Trans:     2; Unit:   1, Func:   3: Read Holding Registers. Exception returned ');
  assert.deepEqual(fieldTexts(exception, 'modbus.exception_code'), ['2']);
  assert.equal(exception.layers[1]!.title, 'Function 3:  Read Holding Registers.  Exception: Illegal data address');
});

test('Modbus/TCP: two PDUs in one segment, a cut PDU and a payload that is not Modbus', () => {
  const modbus = createModbusDissector();
  const two = Buffer.from('000100000006010300000001' + '000200000006010400000001', 'hex');
  const r = modbus.dissect(two, 0, two.length, client);
  assert.deepEqual(r.chain, ['mbtcp', 'modbus', '', 'modbus']);
  assert.equal(r.info, '   Query: Trans:     2; Unit:   1, Func:   4: Read Input Registers');

  // The byte count says 6, the segment holds 4 of them: Wireshark stops there.
  const cut = Buffer.from('000a000000090103060001000200', 'hex').subarray(0, 13);
  const c = modbus.dissect(cut, 0, cut.length, server);
  assert.equal(c.info, 'Response: Trans:    10; Unit:   1, Func:   3: Read Holding Registers[BoundErrorUnreassembled Packet]');
  assert.equal(c.layers[1]!.status, 'malformed');

  const notModbus = Buffer.from('GET / HTTP/1.1\r\n', 'latin1');
  assert.equal(modbus.claims!(notModbus, 0, notModbus.length, client), false);
  assert.deepEqual(modbus.dissect(notModbus, 0, notModbus.length, client).layers.map((l) => l.protocol), ['data']);
});

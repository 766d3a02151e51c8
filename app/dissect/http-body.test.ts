import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyLayers } from './http-body';

const names = (r: ReturnType<typeof bodyLayers>): string => r.layers.map((l) => l.protocol).join(':');

test('a body gets the layer of its media type (tshark 4.0\'s table; tests/dissect-http-body-tshark.test.ts compares)', () => {
  const text = Buffer.from('line one\nline two\n');
  assert.equal(names(bodyLayers(text, 0, text.length, 'text/html; charset=utf-8', false, undefined)), 'data-text-lines');
  assert.equal(bodyLayers(text, 0, text.length, 'text/html; charset=utf-8', false, undefined).info, ' (text/html)');
  assert.equal(names(bodyLayers(text, 0, text.length, undefined, false, undefined)), 'data');
  assert.equal(names(bodyLayers(text, 0, text.length, 'application/octet-stream', false, undefined)), 'data');
  assert.equal(names(bodyLayers(text, 0, text.length, 'text/csv', false, undefined)), 'media');
  const json = Buffer.from('{"a": 1}');
  assert.deepEqual({ ...bodyLayers(json, 0, json.length, 'application/json', false, undefined), layers: undefined }, {
    layers: undefined, info: ', JavaScript Object Notation (application/json)', column: 'JSON',
  });
  assert.equal(names(bodyLayers(json, 0, 4, 'application/json', true, undefined)), 'json:data-text-lines');
});

test('an image cut by the segment: tshark\'s bound error when its declared length goes on, malformed when not', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  assert.equal(bodyLayers(png, 0, png.length, 'image/png', false, undefined).info, ' (PNG)');
  assert.equal(bodyLayers(png, 0, 20, 'image/png', true, undefined).info, ' (PNG)[BoundErrorUnreassembled Packet]');
  assert.equal(bodyLayers(png, 0, 20, 'image/png', false, undefined).info, ' (PNG)[Malformed Packet]');
  // Not a PNG at all: the generic media layer.
  assert.equal(names(bodyLayers(Buffer.from('nope'), 0, 4, 'image/png', false, undefined)), 'media');
  const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
  assert.equal(bodyLayers(jpeg, 0, jpeg.length, 'image/jpeg', false, undefined).info, ' (JPEG JFIF image)');
  // The first segment itself is cut: tshark's JFIF dissector leaves it to "media".
  assert.equal(names(bodyLayers(jpeg, 0, 10, 'image/jpeg', true, undefined)), 'media');
});

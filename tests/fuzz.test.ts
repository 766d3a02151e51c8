/**
 * Seeded mutation fuzzing of the whole decode path: dissectors (with their cross-packet state),
 * tshark-style tree/JSON/fields output and the tcpdump-style printer, over frames mutated from a
 * fixed mix of everyday frames built here (support/seed-frames.ts). Reproducible (a fixed seed
 * and seed frames), bounded (a fixed number of mutations). Nothing may throw, and no frame may
 * take long enough to look like a hang (the bound is generous: it catches runaway loops, not
 * slowness).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Dissector } from '../app/dissect/dissector';
import { formatTree } from '../app/cli/tshark/tree';
import { packetJson } from '../app/cli/tshark/json';
import { fieldsLine } from '../app/cli/tshark/fields';
import { formatPacketLine, PrintState } from '../app/cli/print/index';
import { mutate } from './support/mutate';
import { seededRandom as prng } from './support/prng';
import { seedFrames } from './support/seed-frames';

const SEED = 0x5eed_cafe;
const MUTATIONS = 12000;
/** A runaway-work bound, not a speed target: GC pauses on a loaded machine reach tens of ms. */
const HANG_BOUND_MS = 1000;

test('seeded mutation fuzz: no exception escapes, no frame hangs', () => {
  const seeds = seedFrames();

  const rnd = prng(SEED);
  let dissector = new Dissector();
  let printState = new PrintState();
  let slowest = 0;
  let slowestFrame = '';
  const linkTypes = [1, 1, 1, 101, 113, 276, 0];
  for (let n = 0; n < MUTATIONS; n++) {
    if (n % 1000 === 0) {
      dissector = new Dissector();
      printState = new PrintState();
    }
    let data = mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
    const linkType = linkTypes[Math.floor(rnd() * linkTypes.length)]!;
    if (linkType === 101) data = data.subarray(14);
    const origLen = data.length + (rnd() < 0.2 ? Math.floor(rnd() * 100) : 0);
    const started = performance.now();
    try {
      const packet = dissector.dissect({ number: n + 1, tsNs: BigInt(n) * 1000n, data, origLen, linkType });
      formatTree(packet);
      packetJson(packet);
      fieldsLine(packet, ['ip.src', 'tcp.flags', 'dns.qry.name', 'http.request.uri', 'tls.handshake.type']);
      formatPacketLine(
        { tsNs: BigInt(n), data, origLen, linkType },
        { numeric: rnd() < 0.8, quick: rnd() < 0.2, linkHeader: rnd() < 0.5, timestamp: 'default', verbose: Math.floor(rnd() * 3) },
        printState,
      );
    } catch (err) {
      assert.fail(`mutation ${n} (seed ${SEED}, link type ${linkType}, bytes ${data.toString('hex')}) threw: ${(err as Error).stack}`);
    }
    const took = performance.now() - started;
    if (took > slowest) {
      slowest = took;
      slowestFrame = `mutation ${n}, link type ${linkType}: ${data.toString('hex').slice(0, 120)}`;
    }
  }
  console.log(`# ${MUTATIONS} mutations of ${seeds.length} seed frames; slowest ${slowest.toFixed(2)} ms (${slowestFrame})`);
  assert.ok(slowest < HANG_BOUND_MS, `a frame took ${slowest.toFixed(1)} ms: ${slowestFrame}`);
});

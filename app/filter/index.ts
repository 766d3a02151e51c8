/**
 * Display filters: the everyday part of Wireshark's display-filter language over the dissectors'
 * field names. Compile once, then test packets:
 *
 *   const filter = compileDisplayFilter('ip.addr == 10.0.0.0/8 && tcp.port in {80, 443}');
 *   if (filter.matches(dissector.dissect(frame), frame.data)) ...
 *
 * A bad filter throws DisplayFilterError, whose message names the column and the problem.
 */
import type { DissectedPacket, Field } from '../dissect/model';
import { exceptionLayer } from '../dissect/exception';
import { FilterCompiler, type EvalContext, type Test } from './compile';
import { parseDisplayFilter } from './parser';
import type { ProtocolSpan } from './values';

export { DisplayFilterError } from './lexer';
export { parseDisplayFilter, type FilterNode } from './parser';

export interface DisplayFilter {
  readonly text: string;
  /** The field and protocol names the filter looks at. */
  readonly fieldNames: readonly string[];
  /** `frame` (the packet's bytes) lets protocol-level tests (`frame contains "x"`, `udp contains 01:02`) see the data. */
  matches(packet: DissectedPacket, frame?: Buffer): boolean;
}

export function compileDisplayFilter(text: string): DisplayFilter {
  const compiler = new FilterCompiler(text);
  const test = compiler.compile(parseDisplayFilter(text));
  return new CompiledFilter(text, compiler.slots, test);
}

class CompiledFilter implements DisplayFilter {
  readonly fieldNames: readonly string[];
  private readonly context: EvalContext;
  /** The filter names an item of Wireshark's show_exception (addException). */
  private readonly exceptionNamed: boolean;

  constructor(readonly text: string, private readonly slots: ReadonlyMap<string, number>, private readonly test: Test) {
    this.fieldNames = [...slots.keys()];
    this.exceptionNamed = this.fieldNames.some((n) => EXCEPTION_NAMES.has(n));
    this.context = { occurrences: this.fieldNames.map(() => []), frame: undefined };
  }

  matches(packet: DissectedPacket, frame?: Buffer): boolean {
    const ctx = this.context;
    for (const list of ctx.occurrences) list.length = 0;
    ctx.frame = frame;
    const slots = this.slots;
    const occurrences = ctx.occurrences;
    // One walk over the tree collects every occurrence the filter needs, in tree order.
    const visit = (fields: Field[]): void => {
      for (const f of fields) {
        const slot = slots.get(f.abbrev);
        if (slot !== undefined) occurrences[slot]!.push(f);
        if (f.children) visit(f.children);
      }
    };
    const layers = packet.layers;
    for (let k = 0; k < layers.length; k++) {
      const layer = layers[k]!;
      const slot = slots.get(layer.protocol);
      if (slot !== undefined && layer.chainOnly !== true) {
        // The protocol's bytes run to the end of the layers it carries (in the same bytes: the
        // frame's, or a reassembled PDU's), or of the bytes it was handed.
        let end = Math.max(layer.offset + layer.length, layer.extent ?? 0);
        for (let j = k + 1; j < layers.length; j++) if (layers[j]!.data === layer.data) end = Math.max(end, layers[j]!.offset + layers[j]!.length);
        occurrences[slot]!.push({ protocol: layer.protocol, offset: layer.offset, end, data: layer.data } satisfies ProtocolSpan);
      }
      visit(layer.fields);
    }
    if (this.exceptionNamed) addException(packet, slots, occurrences);
    try {
      return this.test(ctx);
    } finally {
      // Don't keep the packet alive through the reused context.
      for (const list of occurrences) list.length = 0;
      ctx.frame = undefined;
    }
  }
}

/** The names show_exception's items answer to. */
const EXCEPTION_NAMES = new Set(['_ws.malformed', '_ws.short', '_ws.expert', '_ws.expert.message', '_ws.expert.severity', '_ws.expert.group']);

/**
 * Whether a filter's names ask about the exception that ends a dissection (`_ws.malformed`,
 * `_ws.short`): a dissection without a tree reads only what its fields need and may stop short of
 * the bytes that raise it, so such a filter needs the whole tree, as tshark always dissects.
 */
export function namesException(names: readonly string[]): boolean {
  return names.some((n) => n === '_ws.malformed' || n === '_ws.short');
}

/**
 * Wireshark's show_exception, after the layers (as -V and -T json show it, tree.ts and json.ts):
 * a packet whose dissection a malformed packet ended has a `_ws.malformed` item with its expert
 * (Error/Malformed, "Malformed Packet (Exception occurred)"); one the snap length cut short, a
 * `_ws.short` item.
 */
function addException(packet: DissectedPacket, slots: ReadonlyMap<string, number>, occurrences: unknown[][]): void {
  const failed = exceptionLayer(packet.layers);
  if (failed === undefined) return;
  const at = (name: string): unknown[] | undefined => {
    const slot = slots.get(name);
    return slot === undefined ? undefined : occurrences[slot];
  };
  const item = (abbrev: string, value: Field['value'], text: string): Field => ({ abbrev, label: text, value, text, offset: 0, length: 0 });
  if (failed.status === 'truncated') {
    at('_ws.short')?.push(item('_ws.short', null, ''));
    return;
  }
  at('_ws.malformed')?.push(item('_ws.malformed', 'Malformed Packet', 'Malformed Packet'));
  at('_ws.expert')?.push(item('_ws.expert', null, ''));
  at('_ws.expert.message')?.push(item('_ws.expert.message', 'Malformed Packet (Exception occurred)', 'Malformed Packet (Exception occurred)'));
  at('_ws.expert.severity')?.push(item('_ws.expert.severity', 8388608, '8388608'));
  at('_ws.expert.group')?.push(item('_ws.expert.group', 117440512, '117440512'));
}

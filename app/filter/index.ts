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

  constructor(readonly text: string, private readonly slots: ReadonlyMap<string, number>, private readonly test: Test) {
    this.fieldNames = [...slots.keys()];
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
      if (slot !== undefined) {
        // The protocol's bytes run to the end of the layers it carries (in the same bytes: the
        // frame's, or a reassembled PDU's), or of the bytes it was handed.
        let end = Math.max(layer.offset + layer.length, layer.extent ?? 0);
        for (let j = k + 1; j < layers.length; j++) if (layers[j]!.data === layer.data) end = Math.max(end, layers[j]!.offset + layers[j]!.length);
        occurrences[slot]!.push({ protocol: layer.protocol, offset: layer.offset, end, data: layer.data } satisfies ProtocolSpan);
      }
      visit(layer.fields);
    }
    try {
      return this.test(ctx);
    } finally {
      // Don't keep the packet alive through the reused context.
      for (const list of occurrences) list.length = 0;
      ctx.frame = undefined;
    }
  }
}

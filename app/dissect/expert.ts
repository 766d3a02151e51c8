/**
 * Wireshark's expert info: a message a dissector raises about a field (a retransmission, a chat
 * line, a malformed length), with a severity and a group. In the tree it is a `_ws.expert` item
 * under the field it is about, as tshark prints it:
 *
 *   [Expert Info (Note/Sequence): Duplicate ACK (#1)]
 *       [Duplicate ACK (#1)]
 *       [Severity level: Note]
 *       [Group: Sequence]
 *
 * and the field carries `expert` (severity, group, message, protocol) for `-z expert`
 * (app/stats/expert.ts), which counts them per packet in the order Wireshark raises them.
 */
import type { LayerBuilder } from './builder';
import type { ExpertInfo, ExpertGroup, ExpertSeverity, Field } from './model';

/** Severity codes as `-T json` prints `_ws.expert.severity` (epan/proto.h PI_*). */
const SEVERITY_CODES: Record<ExpertSeverity, number> = { Comment: 0x100000, Chat: 0x200000, Note: 0x400000, Warning: 0x600000, Error: 0x800000 };

/** Group codes as `-T json` prints `_ws.expert.group`. */
const GROUP_CODES: Record<ExpertGroup, number> = {
  Checksum: 0x1000000, Sequence: 0x2000000, 'Response code': 0x3000000, 'Request code': 0x4000000, Undecoded: 0x5000000,
  Reassemble: 0x6000000, Malformed: 0x7000000, Debug: 0x8000000, Protocol: 0x9000000, Security: 0xa000000,
  Comment: 0xb000000, Decryption: 0xc000000, Assumption: 0xd000000, Deprecated: 0xe000000,
};

/**
 * Adds an expert item where the builder stands (Wireshark's expert_add_info on the item being
 * built: put it inside that item's group). `abbrev` is the expert's own name
 * (`tcp.analysis.duplicate_ack`); `protocol` the name -z expert shows when it is not the one
 * the report derives from the layer (Wireshark's current protocol, e.g. 'Ethertype').
 */
export function addExpert(b: LayerBuilder, abbrev: string, severity: ExpertSeverity, group: ExpertGroup, message: string, at: number, length: number, protocol?: string): Field {
  // Wireshark's labels hold 239 characters: the item is marked " [truncated]" and cut to 238, its
  // message line cut to 239 (proto.c label_mark_truncated).
  const label = (): string => {
    const text = `Expert Info (${severity}/${group}): ${message}`;
    return `[${text.length < 240 ? text : ` [truncated]${text}`.slice(0, 238)}]`;
  };
  const field = b.group('_ws.expert', label, null, at, length, () => {
    b.add(abbrev, () => `[${message.length < 240 ? message : message.slice(0, 239)}]`, null, at, length, '');
    const text = b.add('_ws.expert.message', () => (message.length < 231 ? `Message: ${message}` : `Message [truncated]: ${message}`.slice(0, 238)), message.length < 240 ? message : message.slice(0, 239), at, length);
    text.hidden = true;
    b.add('_ws.expert.severity', () => `[Severity level: ${severity}]`, SEVERITY_CODES[severity], at, length);
    b.add('_ws.expert.group', () => `[Group: ${group}]`, GROUP_CODES[group], at, length);
  }, '');
  if (b.tree) field.expert = protocol === undefined ? { severity, group, message } : { severity, group, message, protocol };
  return field;
}

/**
 * Adds an expert item under `parent`, a field built earlier (expert_add_info on an item already
 * closed). Without a tree the item goes where the builder stands: only its fields matter then.
 */
export function addExpertTo(b: LayerBuilder, parent: Field, abbrev: string, severity: ExpertSeverity, group: ExpertGroup, message: string, protocol?: string): void {
  if (!b.tree) {
    addExpert(b, abbrev, severity, group, message, parent.offset, parent.length, protocol);
    return;
  }
  b.into((parent.children ??= []), () => addExpert(b, abbrev, severity, group, message, parent.offset, parent.length, protocol));
}

/** The expert items of a field list, depth first in tree order. */
export function* expertsOf(fields: readonly Field[]): Generator<ExpertInfo> {
  for (const f of fields) {
    if (f.expert) yield f.expert;
    if (f.children) yield* expertsOf(f.children);
  }
}

/**
 * RESP, the Redis serialization protocol (TCP 6379), as tshark 4.0 shows it segment by segment:
 * one `resp` layer, Info "Request:" (to port 6379) or "Response:" followed by each top-level value:
 * simple strings, "Error: …", integers, bulk strings' contents ("BulkString(0)" when empty), a
 * request's array as its elements (the command and its arguments), a response's array as
 * "Array(N)", and "[fragment]" for a line that is no RESP value (an inline command, the rest of
 * a value begun in an earlier segment). Fields: resp.string, resp.error, resp.integer,
 * resp.bulk_string.length, resp.bulk_string.value, resp.array.length.
 * Left out: negative lengths and values cut by the segment ("[partial]").
 */
import { LayerBuilder } from './builder';
import type { AppDissector, AppResult } from './model';

export const RESP_PORT = 6379;

export const respDissector: AppDissector = {
  protocol: 'resp',
  tcpPorts: [RESP_PORT],
  dissect: (data, offset, end, ctx) => dissectResp(data, offset, end, ctx.dstPort === RESP_PORT, ctx.fields),
};

interface Line {
  text: string;
  next: number;
}

/** The CR LF-terminated line at `at`, or undefined when the segment ends first. */
function lineAt(data: Buffer, at: number, stop: number): Line | undefined {
  const newline = data.indexOf(0x0a, at);
  if (newline < 0 || newline >= stop) return undefined;
  const textEnd = newline > at && data[newline - 1] === 0x0d ? newline - 1 : newline;
  return { text: data.toString('latin1', at, textEnd), next: newline + 1 };
}

export function dissectResp(data: Buffer, offset: number, end: number, request: boolean, selection?: ReadonlySet<string>): AppResult {
  const stop = Math.min(end, data.length);
  const b = new LayerBuilder(data, 'resp', 'REdis Serialization Protocol', offset, end, selection);
  const parts: string[] = [];
  let cut = false;

  /** Reads one value at `at`; `show` says whether it adds its own text to Info. Returns the next offset, or -1 when the segment ends. */
  const value = (at: number, show: boolean): number => {
    const line = lineAt(data, at, stop);
    if (line === undefined) return -1;
    const kind = line.text[0];
    const text = line.text.slice(1);
    switch (kind) {
      case '+':
        b.add('resp.string', () => `String: ${text}`, text, at + 1, text.length);
        if (show && text) parts.push(text);
        return line.next;
      case '-':
        b.add('resp.error', () => `Error: ${text}`, text, at + 1, text.length);
        if (show) parts.push(`Error: ${text}`);
        return line.next;
      case ':': {
        b.add('resp.integer', () => `Integer: ${text}`, Number(text), at + 1, text.length, text);
        // tshark 4.0 shows a request's integers in the tree only.
        if (show && !request) parts.push(text);
        return line.next;
      }
      case '$': {
        const length = Number(text);
        if (!Number.isInteger(length) || length < 0) return -2;
        b.add('resp.bulk_string.length', () => `Length: ${length}`, length, at + 1, text.length);
        if (line.next + length + 2 > stop) return -1;
        const contents = data.toString('latin1', line.next, line.next + length);
        const bytes = data.subarray(line.next, line.next + length);
        b.add('resp.bulk_string.value', () => `Value: ${contents}`, bytes, line.next, length, () => bytes.toString('hex'));
        if (show) parts.push(length === 0 ? 'BulkString(0)' : contents);
        return line.next + length + 2;
      }
      case '*': {
        const count = Number(text);
        if (!Number.isInteger(count) || count < 0) return -2;
        b.add('resp.array.length', () => `Length: ${count}`, count, at + 1, text.length, text);
        if (show && !request) parts.push(`Array(${count})`);
        let p = line.next;
        for (let k = 0; k < count; k++) {
          p = value(p, show && request);
          if (p < 0) return p;
        }
        return p;
      }
      default:
        parts.push('[fragment]');
        return line.next;
    }
  };

  for (let at = offset; at < stop; ) {
    const next = value(at, true);
    if (next === -2) return { layers: [b.layer], protocolColumn: 'RESP', info: '' };
    if (next < 0) {
      cut = true;
      break;
    }
    at = next;
  }
  if (cut) b.mark(stop < end ? 'truncated' : 'malformed', 'RESP value runs past the end of the segment');
  const head = request ? 'Request:' : 'Response:';
  const info = cut ? `${head}${parts.map((p) => ` ${p}`).join('')}[BoundErrorUnreassembled Packet]` : `${head}${parts.map((p) => ` ${p}`).join('')}`;
  return { layers: [b.layer], protocolColumn: 'RESP', info };
}

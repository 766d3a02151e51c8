/**
 * The contract between the CLI's `-z` statistics and the modules that compute them.
 *
 * A report is fed every packet that passed the capture filter, in file order (as tshark's taps:
 * -Y does not narrow a report; a report's own filter argument does), already dissected (the packet tree plus its raw frame), and renders itself at the end
 * as tshark's `-q -z …` text or as JSON for scripts (`--json`). Reports are incremental: `add`
 * may be followed by `text()`/`json()` at any time (the GUI asks during a live capture) and by
 * more `add` calls afterwards.
 */
import type { DissectedPacket } from '../dissect/model';

export interface ReportFrame {
  /** The dissected packet (frame number, layers, summary columns). */
  packet: DissectedPacket;
  /** The captured bytes of the frame. */
  data: Buffer;
  /** Capture time stamp in nanoseconds since the epoch. */
  tsNs: bigint;
  /** Captured length (data.length) and original length on the wire. */
  capLen: number;
  origLen: number;
}

export interface StatisticsReport {
  /** The `-z` argument this report was made from, e.g. 'conv,tcp'. */
  readonly spec: string;
  add(frame: ReportFrame): void;
  /**
   * The capture has ended (end of file, or live capture stopped): complete what waits for more
   * data (e.g. an HTTP message behind a hole in the capture). Called once, before the final text().
   */
  finish?(): void;
  /** tshark's text for `tshark -q -z SPEC`, byte for byte where tshark's is known. */
  text(): string;
  /** The report as plain JSON data (arrays/objects of numbers, strings, null). */
  json(): unknown;
}

/** A `-z` argument the CLI does not know, or one with a bad parameter: the message says which. */
export class StatisticsSpecError extends Error {}

/**
 * Capture filters: tcpdump's language, compiled by libpcap (never by hand).
 */
import { native, type ClassicInsn } from './native';

export interface CompileRequest {
  filter: string;
  linkType: number;
  snapLen: number;
  /**
   * Compile as tcpdump does on this live interface (libpcap then uses the kernel's VLAN ancillary
   * loads, because the kernel strips 802.1Q tags before a socket filter runs). Needs CAP_NET_RAW.
   * Without it the program is compiled on a dead handle, as for reading files.
   */
  liveDevice?: string;
}

/** Error for a filter libpcap rejects; `message` is libpcap's own wording. */
export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
  constructor(readonly filter: string, readonly libpcapMessage: string) {
    super(`invalid filter expression '${filter}': ${libpcapMessage}`);
  }
}

/**
 * Whether compiling on the live interface can change the program: only the `vlan` primitive reads
 * the handle's VLAN handling (libpcap 1.10's gencode.c; every other primitive compiles to the same
 * program on a dead handle). Opening the live handle costs a second AF_PACKET socket and ring,
 * ~25 ms of start-up mostly spent waiting for the kernel, so a capture opens it only when it
 * matters. Any "vlan" in the text counts (a host name too): erring towards the live handle is right.
 */
export function needsLiveHandle(filter: string): boolean {
  return /vlan/i.test(filter);
}

export function compileFilter(req: CompileRequest): ClassicInsn[] {
  try {
    return native().pcapCompile({
      filter: req.filter,
      linkType: req.linkType,
      snapLen: req.snapLen,
      optimize: true,
      netmask: 0,
      ...(req.liveDevice ? { liveDevice: req.liveDevice } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Errors with an errno come from opening the live handle, not from the expression.
    if (e.code && e.code !== 'EINVAL' && e.code !== 'EFILTER') throw err;
    throw new FilterSyntaxError(req.filter, e.message);
  }
}

/** Joins trailing command-line words into one expression, as tcpdump does. */
export function filterFromArgs(words: readonly string[]): string {
  return words.join(' ').trim();
}

/**
 * tshark's `-o NAME:VALUE` for the preferences users set most, and what they turn into: options
 * of the Dissector (TCP desegmentation, relative sequence numbers, HTTP's ports, -d decode-as) and
 * of the summary's name resolution. Any other preference is refused rather than ignored.
 */
import type { DissectorOptions, PortRule } from '../../dissect/dissector';
import { UsageError, type CliOptions } from '../args';
import { INVALID_OPTION, type TsharkOptions } from './options';
import { dissectorNameOptions, type NameResolution } from '../../dissect/names';

interface Preference {
  /** Checks a value and gives it as stored (booleans upper case), or undefined when it is not valid. */
  parse(value: string): string | undefined;
  /** What it takes, for messages. */
  takes: string;
}

const BOOLEAN: Preference = {
  parse: (v) => (/^(true|false)$/i.test(v) ? v.toUpperCase() : undefined),
  takes: 'TRUE or FALSE',
};

/** Wireshark's range syntax: ports and ranges of ports, separated by commas (`80,8000-8010`). */
const PORT_RANGE: Preference = {
  parse: (v) => (portRange(v) === undefined ? undefined : v.replace(/\s+/g, '')),
  takes: 'ports and ranges separated by commas, e.g. 80,8080,8000-8010',
};

export const KNOWN_PREFERENCES: Readonly<Record<string, Preference>> = {
  'tcp.desegment_tcp_streams': BOOLEAN,
  'tcp.relative_sequence_numbers': BOOLEAN,
  'http.tcp.port': PORT_RANGE,
  'nameres.mac_name': BOOLEAN,
  'nameres.network_name': BOOLEAN,
  'nameres.transport_name': BOOLEAN,
};

/** The ports of a range preference, or undefined when it is not one. */
export function portRange(text: string): number[] | undefined {
  const ports: number[] = [];
  const trimmed = text.replace(/\s+/g, '');
  if (trimmed === '') return ports;
  for (const part of trimmed.split(',')) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!m) return undefined;
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (high > 65535 || high < low) return undefined;
    for (let port = low; port <= high; port++) ports.push(port);
  }
  return ports;
}

/** `-o NAME:VALUE` options, checked, by name. */
export function preferenceOptions(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const colon = raw.indexOf(':');
    if (colon <= 0) throw new UsageError(`-o takes PREFERENCE:VALUE as tshark's does, e.g. -o tcp.desegment_tcp_streams:FALSE (got '${raw}')`, INVALID_OPTION);
    const name = raw.slice(0, colon).trim();
    const value = raw.slice(colon + 1).trim();
    const preference = KNOWN_PREFERENCES[name];
    if (preference === undefined) {
      throw new UsageError(`-o ${name}: not a preference Sievecap has; it knows ${Object.keys(KNOWN_PREFERENCES).join(', ')}`, INVALID_OPTION);
    }
    const parsed = preference.parse(value);
    if (parsed === undefined) throw new UsageError(`-o ${name} takes ${preference.takes}, got '${value}'`, INVALID_OPTION);
    out[name] = parsed;
  }
  return out;
}

/** Whether the dissection reassembles TCP PDUs (`-o tcp.desegment_tcp_streams`, default TRUE). */
export function desegmentOf(opts: Pick<CliOptions, 'preferences'>): boolean {
  return opts.preferences['tcp.desegment_tcp_streams'] !== 'FALSE';
}

/** The Dissector's options for these preferences, -d rules and names (-N, -o nameres.*). */
export function dissectorOptions(opts: Pick<CliOptions, 'preferences' | 'numeric'> & { tshark?: Pick<TsharkOptions, 'decodeAs' | 'nameResolution' | 'twoPass'> }): DissectorOptions {
  const rules: PortRule[] = [];
  const httpPorts = opts.preferences['http.tcp.port'];
  if (httpPorts !== undefined) rules.push({ transport: 'tcp', ports: portRange(httpPorts)!, protocol: 'http', replace: true, origin: `-o http.tcp.port:${httpPorts}` });
  // -d comes after the preferences, as tshark applies decode-as last.
  const names = nameResolutionOf(opts);
  for (const d of opts.tshark?.decodeAs ?? []) rules.push({ transport: d.transport, ports: d.ports, protocol: d.protocol, origin: `-d ${d.text}` });
  return {
    desegment: desegmentOf(opts),
    relativeSequence: opts.preferences['tcp.relative_sequence_numbers'] !== 'FALSE',
    ...(opts.tshark?.twoPass ? { twoPass: true } : {}),
    ...(rules.length > 0 ? { portRules: rules } : {}),
    // Tree labels name MAC addresses and hosts too (`Source: HonHaiPr_6e:8b:24 (00:16:ce:6e:8b:24)`), Info ports.
    ...dissectorNameOptions(names),
  };
}

/**
 * tshark's defaults (MAC names on, host and port names off, the external resolver on), then -n
 * (none), -N LETTERS (exactly those: m, n, t, N; d and v are accepted and change nothing, Sievecap
 * has no DNS-learnt names or VLAN names) and -o nameres.* (each on its own).
 */
export function nameResolutionOf(opts: Pick<CliOptions, 'preferences' | 'numeric'> & { tshark?: Pick<TsharkOptions, 'nameResolution'> }): NameResolution {
  const r: NameResolution = { mac: true, network: false, transport: false, external: true };
  if (opts.numeric) r.mac = r.network = r.transport = false;
  const letters = opts.tshark?.nameResolution;
  if (letters !== undefined) {
    r.mac = letters.includes('m');
    r.network = letters.includes('n');
    r.transport = letters.includes('t');
    r.external = letters.includes('N');
  }
  const p = opts.preferences;
  if (p['nameres.mac_name'] !== undefined) r.mac = p['nameres.mac_name'] === 'TRUE';
  if (p['nameres.network_name'] !== undefined) r.network = p['nameres.network_name'] === 'TRUE';
  if (p['nameres.transport_name'] !== undefined) r.transport = p['nameres.transport_name'] === 'TRUE';
  return r;
}

/** `sievecap -D` and the default interface choice, both as tcpdump/libpcap do them. */
import * as fs from 'node:fs';
import { native, type NativeInterface } from '../capture/native';
import type { CliIo } from './io';
import { linkTypeFromName } from '../pcap/linktype';

const ARPHRD_LOOPBACK = 772;

function operState(name: string): string {
  try {
    return fs.readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function isWireless(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}/wireless`);
}

function statusWords(i: NativeInterface): string[] {
  const words: string[] = [];
  if (i.up) words.push('Up');
  if (i.running) words.push('Running');
  if (i.loopback || i.hardwareType === ARPHRD_LOOPBACK) words.push('Loopback');
  else if (isWireless(i.name)) words.push('Wireless');
  if (!i.loopback && i.up) {
    const state = operState(i.name);
    if (state === 'up') words.push('Connected');
    else if (state === 'down' || state === 'lowerlayerdown') words.push('Disconnected');
  }
  return words;
}

/** libpcap's order: up and running non-loopback first, then `any`, then loopback, then the rest. */
function rank(i: NativeInterface): number {
  if (i.up && i.running && !i.loopback) return 0;
  if (i.up && i.running) return 2;
  return 3;
}

export interface ListedInterface {
  name: string;
  description?: string;
  words: string[];
}

export function listCaptureInterfaces(): ListedInterface[] {
  const interfaces = native().listInterfaces();
  const ranked = interfaces
    .map((i, order) => ({ i, order }))
    .sort((a, b) => rank(a.i) - rank(b.i) || a.order - b.order);
  const listed: ListedInterface[] = [];
  let anyAdded = false;
  for (const { i } of ranked) {
    if (!anyAdded && rank(i) > 0) {
      listed.push({ name: 'any', description: 'Pseudo-device that captures on all interfaces', words: ['Up', 'Running'] });
      anyAdded = true;
    }
    listed.push({ name: i.name, words: statusWords(i) });
  }
  if (!anyAdded) listed.push({ name: 'any', description: 'Pseudo-device that captures on all interfaces', words: ['Up', 'Running'] });
  return listed;
}

export function formatInterfaceList(list: readonly ListedInterface[]): string {
  return list
    .map((l, k) => `${k + 1}.${l.name}${l.description ? ` (${l.description})` : ''} [${l.words.length ? l.words.join(', ') : 'none'}]`)
    .join('\n');
}

/** tcpdump's default: the first interface that is up, running and not loopback. */
export function defaultInterface(): string {
  const first = native()
    .listInterfaces()
    .find((i) => i.up && i.running && !i.loopback);
  if (!first) throw new Error('no interface is up apart from loopback; choose one with -i (see sievecap -D)');
  return first.name;
}

const ARPHRD_ETHER = 1;

/**
 * The link-layer header types of an interface as libpcap lists them for its hardware type (what
 * `tcpdump -L` prints, DOCSIS included on Ethernet): [name, description, printable]; an error
 * message instead when the interface does not exist or Sievecap cannot capture on it.
 */
export function dataLinkTypesOf(device: string): { types: Array<[string, string, boolean]>; monitorNote: string } | { error: string } {
  if (device === 'any') return { types: [['LINUX_SLL', 'Linux cooked v1', true], ['LINUX_SLL2', 'Linux cooked v2', true]], monitorNote: '' };
  const found = native().listInterfaces().find((i) => i.name === device);
  if (!found) return { error: `${device}: No such device exists\n(No such device exists)` };
  if (found.loopback || found.hardwareType === ARPHRD_LOOPBACK) return { types: [['EN10MB', 'Ethernet', true]], monitorNote: '' };
  if (found.hardwareType === ARPHRD_ETHER) {
    if (isWireless(device)) return { types: [['EN10MB', 'Ethernet', true]], monitorNote: ' when not in monitor mode' };
    return { types: [['EN10MB', 'Ethernet', true], ['DOCSIS', 'DOCSIS', false]], monitorNote: '' };
  }
  return { error: `capturing on '${device}' is not supported yet: its hardware type (ARPHRD ${found.hardwareType}) is not Ethernet or loopback; capture on 'any' instead` };
}

/** `-L`: the link-layer header types of an interface (default: the one a capture would use), on stderr in tcpdump's words. */
export function listDataLinkTypes(name: string | undefined, io: CliIo): number {
  const device = name ?? defaultInterface();
  const found = dataLinkTypesOf(device);
  if ('error' in found) {
    io.error(`sievecap: ${found.error}`);
    return 1;
  }
  const lines = [`Data link types for ${device}${found.monitorNote} (use option -y to set):`];
  for (const [type, description, printed] of found.types) lines.push(`  ${type} (${description})${printed ? '' : ' (printing not supported)'}`);
  io.error(lines.join('\n'));
  return 0;
}

/**
 * `-y TYPE` for a live capture: null when the interface is captured with that type (EN10MB on
 * Ethernet and loopback, LINUX_SLL2 on 'any'), else tcpdump's message, or why Sievecap does not.
 */
export function checkDataLinkType(device: string, wanted: string): string | null {
  const name = wanted.toUpperCase().replace(/^DLT_/, '');
  if (linkTypeFromName(name) === undefined) return `invalid data link type ${wanted}`;
  const found = dataLinkTypesOf(device);
  if ('error' in found) return found.error;
  if (!found.types.some(([t]) => t === name)) return `${name} is not one of the DLTs supported by this device`;
  const captured = device === 'any' ? 'LINUX_SLL2' : 'EN10MB';
  if (name === captured) return null;
  return `${device}: capturing as ${name} is not supported: Sievecap captures ${device} as ${captured} (${device === 'any' ? 'Linux cooked v2' : 'Ethernet'}); leave out -y, or give -y ${captured}`;
}

/** `--list-time-stamp-types`: the kernel's host time stamps are the only kind Sievecap captures with (on stderr, as tcpdump). */
export function listTimeStampTypes(name: string | undefined, io: CliIo): number {
  const device = name ?? defaultInterface();
  io.error(`Time stamp types for ${device} (use option -j to set):\n  host (Host)`);
  return 0;
}

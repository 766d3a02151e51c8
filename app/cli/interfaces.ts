/** `sievecap -D` and the default interface choice, both as tcpdump/libpcap do them. */
import * as fs from 'node:fs';
import { native, type NativeInterface } from '../capture/native';
import type { CliIo } from './io';

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
 * `-L`: the link-layer header types of an interface (default: the one a capture would use), on
 * stderr in tcpdump's words. The list is libpcap's for the interface's hardware type (what
 * `tcpdump -L` prints, DOCSIS included on Ethernet); Sievecap captures the first type of each.
 */
export function listDataLinkTypes(name: string | undefined, io: CliIo): number {
  const device = name ?? defaultInterface();
  let types: Array<[string, string, boolean]>;
  let monitorNote = '';
  if (device === 'any') {
    types = [['LINUX_SLL', 'Linux cooked v1', true], ['LINUX_SLL2', 'Linux cooked v2', true]];
  } else {
    const found = native().listInterfaces().find((i) => i.name === device);
    if (!found) {
      io.error(`sievecap: ${device}: No such device exists\n(No such device exists)`);
      return 1;
    }
    if (found.loopback || found.hardwareType === ARPHRD_LOOPBACK) types = [['EN10MB', 'Ethernet', true]];
    else if (found.hardwareType === ARPHRD_ETHER) {
      if (isWireless(device)) {
        types = [['EN10MB', 'Ethernet', true]];
        monitorNote = ' when not in monitor mode';
      } else types = [['EN10MB', 'Ethernet', true], ['DOCSIS', 'DOCSIS', false]];
    } else {
      io.error(`sievecap: capturing on '${device}' is not supported yet: its hardware type (ARPHRD ${found.hardwareType}) is not Ethernet or loopback; capture on 'any' instead`);
      return 1;
    }
  }
  const lines = [`Data link types for ${device}${monitorNote} (use option -y to set):`];
  for (const [type, description, printed] of types) lines.push(`  ${type} (${description})${printed ? '' : ' (printing not supported)'}`);
  io.error(lines.join('\n'));
  return 0;
}

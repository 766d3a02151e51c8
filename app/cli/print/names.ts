/**
 * Turning addresses and ports into names, as tcpdump does without -n, but from local files only:
 * ports from /etc/services, host names from /etc/hosts, MAC names from /etc/ethers. tcpdump would
 * also ask DNS (gethostbyaddr) for host names; Sievecap never does, so that printing a capture can
 * never send a query off the machine. With -n everything is printed as numbers.
 */
import * as fs from 'node:fs';

/** tcpdump's oui_values (oui.c), used for `(oui ...)` after a MAC address without -n. */
const OUI_NAMES = new Map<number, string>([
  [0x000000, 'Ethernet'], [0x00000c, 'Cisco'], [0x00005e, 'IANA'], [0x000081, 'Nortel Networks SONMP'],
  [0x0000f8, 'Cisco bridged'], [0x0080c2, 'Ethernet bridged'], [0x00a03e, 'ATM Forum'],
  [0x00e02f, 'DOCSIS Spanning Tree'], [0x080007, 'Appletalk'], [0x009069, 'Juniper'],
  [0x080009, 'Hewlett-Packard'], [0x00120f, 'IEEE 802.3 Private'], [0x0012bb, 'ANSI/TIA'],
  [0x001b21, 'DCBX'], [0x002320, 'Nicira Networks'], [0x5c16c7, 'Big Switch Networks'],
  [0xb0d2f5, 'Vello Systems'], [0x002481, 'HP'], [0x0004ea, 'HP-Labs'], [0x748771, 'Infoblox Inc'],
  [0xa42305, 'Open Networking Lab'], [0x00049f, 'Freescale'], [0x0015ad, 'Netronome'],
  [0x001018, 'Broadcom'], [0x00e004, 'PMC-Sierra'], [0xd0f0db, 'Ericsson'],
]);

export interface NameFiles {
  services?: string;
  hosts?: string;
  ethers?: string;
}

function readText(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim();
}

/** First name per port and protocol, as getservent() order gives tcpdump. */
export function parseServices(text: string): { tcp: Map<number, string>; udp: Map<number, string> } {
  const tcp = new Map<number, string>();
  const udp = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const fields = stripComment(raw).split(/\s+/);
    if (fields.length < 2) continue;
    const m = /^(\d+)\/(tcp|udp)$/.exec(fields[1]!);
    if (!m) continue;
    const table = m[2] === 'tcp' ? tcp : udp;
    const port = Number(m[1]);
    if (!table.has(port)) table.set(port, fields[0]!);
  }
  return { tcp, udp };
}

/** Address text → first host name, as the `files` resolver answers gethostbyaddr. */
export function parseHosts(text: string): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const fields = stripComment(raw).split(/\s+/);
    if (fields.length < 2) continue;
    const address = normaliseAddress(fields[0]!);
    if (address && !hosts.has(address)) hosts.set(address, fields[1]!);
  }
  return hosts;
}

function normaliseAddress(text: string): string | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) return text;
  if (!text.includes(':')) return undefined;
  const bytes = parseIpv6(text);
  return bytes ? formatIpv6(bytes) : undefined;
}

function parseIpv6(text: string): Buffer | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const w of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const buf = Buffer.alloc(16);
  all.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
  return buf;
}

export function formatIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** tcpdump's addrtostr6: longest (first) run of ≥2 zero words as `::`, IPv4-mapped tail. */
export function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) [bestBase, bestLen] = [curBase, curLen];
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) [bestBase, bestLen] = [curBase, curLen];
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return out + formatIpv4(b.subarray(12, 16));
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Interface index → name on this machine, as tcpdump's if_indextoname for SLL2 captures. */
export function localInterfaceName(ifindex: number): string | undefined {
  try {
    for (const name of fs.readdirSync('/sys/class/net')) {
      const text = readText(`/sys/class/net/${name}/ifindex`).trim();
      if (Number(text) === ifindex) return name;
    }
  } catch {
    /* no /sys: fall back to '?' like tcpdump */
  }
  return undefined;
}

/** Slots of the recent-address caches: a capture's packets mostly repeat a few addresses. */
const CACHE_SLOTS = 256;

export class NameResolver {
  private services?: { tcp: Map<number, string>; udp: Map<number, string> };
  private hosts?: Map<string, string>;
  private ethers?: Map<string, string>;
  /** Direct-mapped caches of address → printed text; -1 (never a u32) marks an empty v4 slot. */
  private readonly v4Keys = new Float64Array(CACHE_SLOTS).fill(-1);
  private readonly v4Texts: string[] = new Array<string>(CACHE_SLOTS).fill('');
  private readonly v6Keys = new Int32Array(CACHE_SLOTS * 4);
  private readonly v6Filled = new Uint8Array(CACHE_SLOTS);
  private readonly v6Texts: string[] = new Array<string>(CACHE_SLOTS).fill('');

  constructor(
    readonly numeric: boolean,
    private readonly files: NameFiles = {},
    /** -N: a host name is printed up to its first dot. */
    readonly stripDomains = false,
  ) {}

  tcpPort(port: number): string {
    if (this.numeric) return String(port);
    this.services ??= parseServices(this.files.services ?? readText('/etc/services'));
    return this.services.tcp.get(port) ?? String(port);
  }

  udpPort(port: number): string {
    if (this.numeric) return String(port);
    this.services ??= parseServices(this.files.services ?? readText('/etc/services'));
    return this.services.udp.get(port) ?? String(port);
  }

  private hostName(text: string): string {
    if (this.numeric) return text;
    this.hosts ??= parseHosts(this.files.hosts ?? readText('/etc/hosts'));
    const name = this.hosts.get(text);
    if (name === undefined) return text;
    if (!this.stripDomains) return name;
    const dot = name.indexOf('.');
    return dot < 0 ? name : name.slice(0, dot);
  }

  ipv4Name(b: Uint8Array): string {
    return this.hostName(formatIpv4(b));
  }

  ipv6Name(b: Uint8Array): string {
    return this.hostName(formatIpv6(b));
  }

  /** ipv4Name of data[at..at+4], the caller having checked the bounds. */
  ipv4At(data: Buffer, at: number): string {
    const a = data.readUInt32BE(at);
    const slot = (a ^ (a >>> 8) ^ (a >>> 16) ^ (a >>> 24)) & (CACHE_SLOTS - 1);
    if (this.v4Keys[slot] === a) return this.v4Texts[slot]!;
    const text = this.hostName(`${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`);
    this.v4Keys[slot] = a;
    this.v4Texts[slot] = text;
    return text;
  }

  /** ipv6Name of data[at..at+16], the caller having checked the bounds. */
  ipv6At(data: Buffer, at: number): string {
    const w0 = data.readInt32BE(at);
    const w1 = data.readInt32BE(at + 4);
    const w2 = data.readInt32BE(at + 8);
    const w3 = data.readInt32BE(at + 12);
    let h = w0 ^ w1 ^ w2 ^ w3;
    h ^= h >>> 16;
    h ^= h >>> 8;
    const slot = h & (CACHE_SLOTS - 1);
    const k = slot * 4;
    const keys = this.v6Keys;
    if (this.v6Filled[slot] === 1 && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) {
      return this.v6Texts[slot]!;
    }
    const text = this.hostName(formatIpv6(data.subarray(at, at + 16)));
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    this.v6Filled[slot] = 1;
    this.v6Texts[slot] = text;
    return text;
  }

  macName(b: Uint8Array): string {
    const text = formatMac(b);
    if (this.numeric) return text;
    this.ethers ??= parseEthers(this.files.ethers ?? readText('/etc/ethers'));
    const named = this.ethers.get(text);
    if (named) return named;
    const oui = (b[0]! << 16) | (b[1]! << 8) | b[2]!;
    return `${text} (oui ${OUI_NAMES.get(oui) ?? 'Unknown'})`;
  }
}

function parseEthers(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const fields = stripComment(raw).split(/\s+/);
    if (fields.length < 2) continue;
    const parts = fields[0]!.split(':');
    if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) continue;
    const mac = parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
    if (!out.has(mac)) out.set(mac, fields[1]!);
  }
  return out;
}

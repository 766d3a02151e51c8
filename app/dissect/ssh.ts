/**
 * SSH (RFC 4253; TCP 22), segment by segment as tshark 4.0 shows it with TCP desegmentation off:
 * the version exchange (ssh.protocol), the binary packets of the key exchange (length, padding,
 * message code; a KEXINIT's algorithm lists and hassh), and what follows NEWKEYS as encrypted.
 *
 * tshark keeps per-conversation state, and so does this dissector: the SSH version comes from the
 * client's banner (the Protocol column shows the version known before the packet), each side's
 * packets are encrypted after its NEWKEYS, and once both KEXINITs are seen the negotiated key
 * exchange names messages 30-34; once the cipher is negotiated tshark tries to decrypt (and without
 * keys shows nothing of the packet), before that it shows "Encrypted packet".
 * Left out: the bodies of key exchange messages 30-34 (keys, host key, signature) and tshark's
 * per-direction sequence number (ssh.seq_num), whose count in tshark 4.0 depends on how it
 * re-dissects key exchange frames.
 */
import { createHash } from 'node:crypto';
import { conversationKey } from './dissector';
import { dissectSafely, LayerBuilder } from './builder';
import { bytesHex } from './format';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import type { PduSplit } from './model';
import type { AppContext, AppDissector, AppResult } from './model';

export const SSH_PORT = 22;

const MESSAGES: Record<number, string> = {
  1: 'Disconnect', 2: 'Ignore', 3: 'Unimplemented', 4: 'Debug', 5: 'Service Request', 6: 'Service Accept', 7: 'Extended Information',
  20: 'Key Exchange Init', 21: 'New Keys',
  50: 'User Authentication Request', 51: 'User Authentication Failure', 52: 'User Authentication Success', 53: 'User Authentication Banner', 60: 'Public Key algorithm accepted',
  80: 'Global Request', 81: 'Request Success', 82: 'Request Failure', 90: 'Channel Open', 91: 'Channel Open Confirmation',
  92: 'Channel Open Failure', 93: 'Window Adjust', 94: 'Channel Data', 95: 'Channel Extended Data', 96: 'Channel EOF',
  97: 'Channel Close', 98: 'Channel Request', 99: 'Channel Success', 100: 'Channel Failure',
};
const KEX_DH: Record<number, string> = { 30: 'Diffie-Hellman Key Exchange Init', 31: 'Diffie-Hellman Key Exchange Reply' };
const KEX_DH_GEX: Record<number, string> = {
  30: 'Diffie-Hellman Group Exchange Request (Old)', 31: 'Diffie-Hellman Group Exchange Group', 32: 'Diffie-Hellman Group Exchange Init',
  33: 'Diffie-Hellman Group Exchange Reply', 34: 'Diffie-Hellman Group Exchange Request',
};
const KEX_ECDH: Record<number, string> = { 30: 'Elliptic Curve Diffie-Hellman Key Exchange Init', 31: 'Elliptic Curve Diffie-Hellman Key Exchange Reply' };
/** Ciphers with their own integrity check: tshark names no MAC for them. */
const AEAD = new Set(['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']);
const NAME_LISTS = [
  'kex_algorithms', 'server_host_key_algorithms', 'encryption_algorithms_client_to_server', 'encryption_algorithms_server_to_client',
  'mac_algorithms_client_to_server', 'mac_algorithms_server_to_client', 'compression_algorithms_client_to_server',
  'compression_algorithms_server_to_client', 'languages_client_to_server', 'languages_server_to_client',
];

interface Peer {
  /** The banner was seen (later "SSH-" text is not a banner). */
  bannerDone: boolean;
  /** NEWKEYS was sent: what follows is encrypted. */
  encrypted: boolean;
  kexinit?: string[];
}

interface Conversation {
  /** 0 unknown, 1 or 2: from the client's banner. */
  version: number;
  peers: [Peer, Peer];
  kexMethod?: string;
  /** The key exchange reply was seen: tshark then names each side's cipher. */
  ciphersKnown: boolean;
}

const newPeer = (): Peer => ({ bannerDone: false, encrypted: false });

export function createSshDissector(): AppDissector {
  const conversations = new Map<string, Conversation>();
  return {
    protocol: 'ssh',
    tcpPorts: [SSH_PORT],
    stateful: true,
    dissect: (data, offset, end, ctx) => {
      const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
      let conv = conversations.get(key);
      if (conv === undefined) conversations.set(key, (conv = { version: 0, peers: [newPeer(), newPeer()], ciphersKnown: false }));
      // tshark's -2 names the negotiated algorithms on the key exchange's first packets too: the
      // labels come from the first pass's conversation as it ended.
      const first = ctx.hindsight === undefined ? undefined : ctx.hindsight.share('ssh', conversations);
      const names = ctx.hindsight?.recalling ? first?.get(key) ?? conv : conv;
      return dissectSsh(conv, data, offset, end, ctx, names);
    },
    desegment: (data, offset, end, ctx) => sshPdus(conversations.get(conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)), data, offset, end, ctx),
  };
}

/**
 * What of data[offset, end) is whole SSH (one dissector call) and what the rest needs, as
 * Wireshark's SSH dissector asks TCP: a banner up to its line end; a binary packet of the key
 * exchange up to its length (read as plaintext, as tshark reads it, until NEWKEYS); encrypted
 * packets as they come. While the first waits, the Info column is cleared.
 */
function sshPdus(conv: Conversation | undefined, data: Buffer, offset: number, end: number, ctx: AppContext): PduSplit {
  const server = ctx.dstPort !== SSH_PORT;
  const peer = conv?.peers[server ? 1 : 0];
  let bannerDone = peer?.bannerDone ?? false;
  let encrypted = peer?.encrypted ?? false;
  let version = conv?.version ?? 0;
  const wait = (at: number, need: number): PduSplit => ({ pdus: at > offset ? [at - offset] : [], need, info: '' });
  let at = offset;
  while (at < end) {
    if (!bannerDone && data.toString('latin1', at, Math.min(at + 4, end)) === 'SSH-') {
      const lf = data.indexOf(0x0a, at);
      if (lf < 0 || lf >= end) return wait(at, ONE_MORE_SEGMENT);
      bannerDone = true;
      if (!server) version = /^SSH-(2\.|1\.99-)/.test(data.toString('latin1', at, lf)) ? 2 : data.toString('latin1', at, at + 6) === 'SSH-1.' ? 1 : version;
      at = lf + 1;
      continue;
    }
    if (version !== 2 || encrypted) break;
    if (end - at < 4) return wait(at, 4 - (end - at));
    // Read as plaintext even when it is not (tshark asks for that many bytes, whatever they are).
    const length = data.readUInt32BE(at);
    if (length + 4 > end - at) return wait(at, length + 4 - (end - at));
    if (length >= 2 && data[at + 5] === 21) encrypted = true;
    at += length + 4;
  }
  return { pdus: [end - offset], need: 0 };
}

function dissectSsh(conv: Conversation, data: Buffer, offset: number, end: number, ctx: AppContext, names: Conversation = conv): AppResult {
  // tshark's "response" is whatever is not sent to the SSH port.
  const server = ctx.dstPort !== SSH_PORT;
  const peer = conv.peers[server ? 1 : 0];
  const protocolColumn = conv.version === 2 ? 'SSHv2' : conv.version === 1 ? 'SSHv1' : 'SSH';
  const b = new LayerBuilder(data, 'ssh', 'SSH Protocol', offset, end, ctx.fields);
  const infos: string[] = [];
  const unreassembled = { value: false };
  const stop = Math.min(end, data.length);
  dissectSafely(b, () => {
    let at = offset;
    while (at < stop) {
      const start = at;
      if (!peer.bannerDone && data.toString('latin1', at, Math.min(at + 4, stop)) === 'SSH-') {
        at = banner(b, conv, peer, at, stop, server, infos);
      } else if (conv.version !== 2 || peer.encrypted) {
        at = encrypted(b, conv, server, at, stop, infos);
      } else {
        at = binaryPacket(b, conv, peer, at, end, server, infos, unreassembled, names);
      }
      if (at <= start) break;
    }
    if (!unreassembled.value) b.add('ssh.direction', () => `[Direction: ${server ? 'server-to-client' : 'client-to-server'}]`, server, offset, 0);
  });
  const info = unreassembled.value ? `${infos.join(', ')}[BoundErrorUnreassembled Packet]` : `${server ? 'Server' : 'Client'}: ${infos.join(', ')}`;
  return { layers: [b.layer], protocolColumn, info };
}

/** "SSH-2.0-software\r\n": the client's sets the conversation's version. */
function banner(b: LayerBuilder, conv: Conversation, peer: Peer, at: number, stop: number, server: boolean, infos: string[]): number {
  const data = b.data;
  const newline = data.indexOf(0x0a, at);
  const lineEnd = newline < 0 || newline >= stop ? stop : newline + 1;
  let textEnd = lineEnd;
  while (textEnd > at && (data[textEnd - 1] === 0x0a || data[textEnd - 1] === 0x0d)) textEnd--;
  const text = data.toString('latin1', at, textEnd);
  b.add('ssh.protocol', () => `Protocol: ${text}`, text, at, lineEnd - at);
  infos.push(`Protocol (${text})`);
  peer.bannerDone = true;
  if (!server) {
    if (text.startsWith('SSH-2.') || text.startsWith('SSH-1.99-')) conv.version = 2;
    else if (text.startsWith('SSH-1.')) conv.version = 1;
  }
  return lineEnd;
}

/** The rest of the segment as one encrypted packet (or, for a cipher tshark sets up, an empty item). */
function encrypted(b: LayerBuilder, conv: Conversation, server: boolean, at: number, stop: number, infos: string[]): number {
  const data = b.data;
  if (conv.ciphersKnown && cipherOf(conv, server) !== undefined) {
    // tshark 4.0 tries to decrypt with the negotiated cipher: without keys it shows nothing more.
    b.add('', () => versionLabel(conv, server), null, at, 0);
    return stop;
  }
  b.group('', conv.version === 1 ? 'SSH Version 1' : 'SSH Version 2', null, at, stop - at, () => {
    if (stop - at >= 4) {
      b.add('ssh.packet_length_encrypted', () => `Packet Length (encrypted): ${bytesHex(data, at, 4)}`, data.subarray(at, at + 4), at, 4, () => bytesHex(data, at, 4));
      if (stop - at > 4) {
        b.add('ssh.encrypted_packet', () => `Encrypted Packet: ${bytesHex(data, at + 4, Math.min(36, stop - at - 4))}${stop - at - 4 > 36 ? '…' : ''}`, data.subarray(at + 4, stop), at + 4, stop - at - 4, () => bytesHex(data, at + 4, stop - at - 4));
      }
    }
  });
  infos.push(`Encrypted packet (len=${stop - at})`);
  return stop;
}

/** One binary packet of the key exchange: length, padding length, message, padding. */
function binaryPacket(b: LayerBuilder, conv: Conversation, peer: Peer, at: number, end: number, server: boolean, infos: string[], unreassembled: { value: boolean }, names: Conversation): number {
  let next = at;
  // `names`: the conversation whose negotiated algorithms the labels name (-2: as it ended).
  b.group('', () => versionLabel(names, server), null, at, 0, () => {
    const length = b.u32(at, 'packet length');
    b.add('ssh.packet_length', () => `Packet Length: ${length}`, length, at, 4);
    const padding = b.u8(at + 4, 'padding length');
    b.add('ssh.padding_length', () => `Padding Length: ${padding}`, padding, at + 4, 1);
    const code = b.u8(at + 5, 'message code');
    const name = messageName(conv, code);
    infos.push(name);
    next = at + 4 + length;
    const overruns = next > end;
    const bodyEnd = Math.min(next - padding, next);
    const method = names.kexMethod;
    const group = code >= 20 && code <= 49 ? `Key Exchange${method ? ` (method:${method})` : ''}` : code >= 50 && code <= 79 ? 'User Authentication' : 'Transport';
    b.group('', group, null, at + 5, Math.max(0, bodyEnd - at - 5), () => {
      b.add('ssh.message_code', () => `Message Code: ${name} (${code})`, code, at + 5, 1);
      if (code === 20 && !overruns) kexinit(b, conv, peer, at + 6, bodyEnd, server);
    });
    if (overruns) {
      // Without reassembly the packet runs past the segment. tshark 4.0 then fails (with this
      // note) only when the padding length is more than the segment holds.
      if (padding > end - at) {
        b.mark('malformed', 'SSH packet continues past this TCP segment (not reassembled)');
        unreassembled.value = true;
      }
      return;
    }
    if (length < 1 + padding) b.mark('malformed', `SSH packet length ${length} is shorter than its padding`);
    const paddingBytes = b.bytes(next - padding, padding, 'padding');
    b.add('ssh.padding_string', () => `Padding String: ${paddingBytes.toString('hex')}`, paddingBytes, next - padding, padding, () => paddingBytes.toString('hex'));
    if (code === 21) peer.encrypted = true;
    // tshark 4.0 names the ciphers (and tries to decrypt) after a key exchange reply it can derive
    // keys from: not after a group exchange's (diffie-hellman-group-exchange-*, checked on the corpus).
    if (code === 31 && conv.kexMethod !== undefined && !conv.kexMethod.startsWith('diffie-hellman-group-exchange')) conv.ciphersKnown = true;
  });
  return next > end ? end : next;
}

function messageName(conv: Conversation, code: number): string {
  if (code >= 30 && code <= 49) {
    const method = conv.kexMethod ?? '';
    const table = method.startsWith('diffie-hellman-group-exchange') ? KEX_DH_GEX : method.startsWith('ecdh-') || method.startsWith('curve') ? KEX_ECDH : KEX_DH;
    return table[code] ?? `Unknown (${code})`;
  }
  return MESSAGES[code] ?? `Unknown (${code})`;
}

/** KEXINIT: cookie, the ten name-lists, first_kex_packet_follows, reserved; hassh of the lists. */
function kexinit(b: LayerBuilder, conv: Conversation, peer: Peer, at: number, end: number, server: boolean): void {
  const lists: string[] = [];
  b.group('', 'Algorithms', null, at, end - at, () => {
    const cookie = b.bytes(at, 16, 'cookie');
    b.add('ssh.cookie', () => `Cookie: ${cookie.toString('hex')}`, cookie, at, 16, () => cookie.toString('hex'));
    let o = at + 16;
    for (const name of NAME_LISTS) {
      const length = b.u32(o, name);
      b.add(`ssh.${name}_length`, () => `${name} length: ${length}`, length, o, 4);
      const text = b.bytes(o + 4, length, name).toString('latin1');
      b.add(`ssh.${name}`, () => cappedLabel(`${name} string`, text), text, o + 4, length);
      lists.push(text);
      o += 4 + length;
    }
    const follows = b.u8(o, 'first_kex_packet_follows');
    b.add('ssh.first_kex_packet_follows', () => `First KEX Packet Follows: ${follows}`, follows, o, 1);
    const reserved = b.bytes(o + 1, 4, 'reserved');
    b.add('ssh.kex.reserved', () => `Reserved: ${reserved.toString('hex')}`, reserved, o + 1, 4, () => reserved.toString('hex'));
    const hasshAlgorithms = server ? [lists[0], lists[3], lists[5], lists[7]].join(';') : [lists[0], lists[2], lists[4], lists[6]].join(';');
    const prefix = server ? 'ssh.kex.hasshserver' : 'ssh.kex.hassh';
    const labelName = server ? 'hasshServer' : 'hassh';
    b.add(`${prefix}_algorithms`, () => `[${cappedLabel(`${labelName}Algorithms`, hasshAlgorithms)}]`, hasshAlgorithms, o, 0);
    if (b.wants(prefix)) {
      const hassh = createHash('md5').update(hasshAlgorithms, 'latin1').digest('hex');
      b.add(prefix, () => `[${labelName}: ${hassh}]`, hassh, o, 0);
    }
  });
  peer.kexinit = lists;
  const [client, serverPeer] = conv.peers;
  if (client.kexinit && serverPeer.kexinit) {
    const offered = new Set(serverPeer.kexinit[0]!.split(','));
    conv.kexMethod = client.kexinit[0]!.split(',').find((m) => offered.has(m));
  }
}

/** "SSH Version 2", with the negotiated algorithms once tshark names them (after the key exchange reply). */
function versionLabel(conv: Conversation, server: boolean): string {
  const cipher = conv.ciphersKnown ? cipherOf(conv, server) : undefined;
  if (cipher === undefined) return 'SSH Version 2';
  const mac = AEAD.has(cipher) ? '' : ` mac:${negotiated(conv, server ? 5 : 4) ?? ''}`;
  return `SSH Version 2 (encryption:${cipher}${mac} compression:${compressionOf(conv, server) ?? ''})`;
}

/** The cipher negotiated for one direction (the client's first that the server also lists). */
function cipherOf(conv: Conversation, server: boolean): string | undefined {
  return negotiated(conv, server ? 3 : 2);
}

function compressionOf(conv: Conversation, server: boolean): string | undefined {
  return negotiated(conv, server ? 7 : 6);
}

function negotiated(conv: Conversation, list: number): string | undefined {
  const client = conv.peers[0].kexinit?.[list];
  const server = conv.peers[1].kexinit?.[list];
  if (client === undefined || server === undefined) return undefined;
  const offered = new Set(server.split(','));
  return client.split(',').find((name) => offered.has(name));
}

/** Wireshark's tree labels hold 239 characters: a longer one is marked "[truncated]" and cut to 238. */
function cappedLabel(name: string, value: string): string {
  const label = `${name}: ${value}`;
  return label.length < 240 ? label : `${name} [truncated]: ${value}`.slice(0, 238);
}

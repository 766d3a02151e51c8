/**
 * QUIC's Initial packet protection (RFC 9001 §5): the keys every observer can derive from the
 * client's first Destination Connection ID, header protection (§5.4) and AEAD_AES_128_GCM (§5.3).
 * Salts and labels per version as Wireshark 4.0's packet-quic.c chooses them. node:crypto is
 * loaded on first use, so a capture without QUIC does not pay for it at start-up.
 */
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | null = null;
function nodeCrypto(): typeof Crypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  crypto ??= require('node:crypto') as typeof Crypto;
  return crypto;
}

const SALT_DRAFT_22 = Buffer.from('7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a', 'hex');
const SALT_DRAFT_23 = Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex');
const SALT_DRAFT_29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');
const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2_DRAFT_00 = Buffer.from('a707c203a59b47184a1d62ca570406ea7ae3e5d3', 'hex');

/** packet-quic.c's quic_draft_version(): the draft a version number stands for (0: none). */
export function quicDraftVersion(version: number): number {
  if (version >>> 8 === 0xff0000) return version & 0xff;
  if (version === 0xfaceb001) return 22;
  if (version === 0xfaceb002 || version === 0xfaceb00e || version === 0x51303530 || version === 0x54303530 || version === 0x54303531) return 27;
  if ((version & 0x0f0f0f0f) >>> 0 === 0x0a0a0a0a) return 29;
  if (version === 0x00000001) return 34;
  if (version === 0x709a50c4) return 100;
  return 0;
}

/** QUIC v2 as Wireshark 4.0 knows it (draft-00): other labels, rotated packet types. */
export function isQuicV2(version: number): boolean {
  return version === 0x709a50c4;
}

function draftMax(version: number, max: number): boolean {
  const draft = quicDraftVersion(version);
  return draft !== 0 && draft <= max;
}

export interface PacketKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  return nodeCrypto().createHmac('sha256', salt).update(ikm).digest();
}

/** TLS 1.3's HKDF-Expand-Label with an empty context (RFC 8446 §7.1), SHA-256. */
export function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const out: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    previous = nodeCrypto().createHmac('sha256', secret).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    out.push(previous);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The client's and the server's Initial keys for a connection whose first client Initial had `dcid`. */
export function initialKeys(dcid: Buffer, version: number): { client: PacketKeys; server: PacketKeys } {
  const salt = draftMax(version, 22) ? SALT_DRAFT_22 : draftMax(version, 28) ? SALT_DRAFT_23 : draftMax(version, 32) ? SALT_DRAFT_29 : draftMax(version, 34) ? SALT_V1 : SALT_V2_DRAFT_00;
  const initial = hkdfExtract(salt, dcid);
  const v2 = isQuicV2(version);
  const keys = (secret: Buffer): PacketKeys => ({
    key: hkdfExpandLabel(secret, v2 ? 'quicv2 key' : 'quic key', 16),
    iv: hkdfExpandLabel(secret, v2 ? 'quicv2 iv' : 'quic iv', 12),
    hp: hkdfExpandLabel(secret, v2 ? 'quicv2 hp' : 'quic hp', 16),
  });
  return { client: keys(hkdfExpandLabel(initial, 'client in', 32)), server: keys(hkdfExpandLabel(initial, 'server in', 32)) };
}

/**
 * Header protection removed (§5.4.1): the first byte and the truncated packet number. null when
 * the 16-byte sample past the packet number is not in the packet.
 */
export function removeHeaderProtection(data: Buffer, packetStart: number, pnOffset: number, stop: number, hp: Buffer): { firstByte: number; pnLength: number; truncatedPn: number } | null {
  if (pnOffset + 4 + 16 > stop) return null;
  const cipher = nodeCrypto().createCipheriv('aes-128-ecb', hp, null);
  cipher.setAutoPadding(false);
  const mask = cipher.update(data.subarray(pnOffset + 4, pnOffset + 20));
  let first = data[packetStart]!;
  first ^= mask[0]! & ((first & 0x80) !== 0 ? 0x0f : 0x1f);
  const pnLength = (first & 3) + 1;
  if (pnOffset + pnLength > stop) return null;
  let pn = 0;
  for (let i = 0; i < pnLength; i++) pn = pn * 256 + (data[pnOffset + i]! ^ mask[1 + i]!);
  return { firstByte: first, pnLength, truncatedPn: pn };
}

/** packet-quic.c's quic_pkt_adjust_pkt_num (from ngtcp2): the full packet number nearest the next expected. */
export function expandPacketNumber(largest: bigint, truncated: number, bits: number): bigint {
  const max = (1n << 64n) - 1n;
  const k = largest === max ? largest : largest + 1n;
  const n = 1n << BigInt(bits);
  const u = k & ~(n - 1n) & max;
  const a = u | BigInt(truncated);
  const b = ((u + n) & max) | BigInt(truncated);
  const a1 = k < a ? a - k : k - a;
  const b1 = k < b ? b - k : k - b;
  return a1 < b1 ? a : b;
}

/**
 * AEAD_AES_128_GCM open (§5.3): the header up to the packet number is the associated data, the
 * nonce the IV xor the packet number. Returns the plaintext, or the error text Wireshark shows.
 */
export function openPayload(data: Buffer, packetStart: number, pnOffset: number, pnLength: number, firstByte: number, packetEnd: number, keys: PacketKeys, pn: bigint): { plain: Buffer } | { error: string } {
  const payloadStart = pnOffset + pnLength;
  // quic_decrypt_message: no byte of ciphertext before the 16-byte tag.
  if (packetEnd - payloadStart <= 16) return { error: 'Decryption not possible, ciphertext is too short' };
  const header = Buffer.from(data.subarray(packetStart, payloadStart));
  header[0] = firstByte;
  let rest = pn;
  for (let i = pnLength - 1; i >= 0; i--) {
    header[pnOffset - packetStart + i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  const nonce = Buffer.from(keys.iv);
  let value = pn;
  for (let i = 11; i >= 4; i--) {
    nonce[i]! ^= Number(value & 0xffn);
    value >>= 8n;
  }
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-128-gcm', keys.key, nonce);
    decipher.setAAD(header);
    decipher.setAuthTag(data.subarray(packetEnd - 16, packetEnd));
    const plain = Buffer.concat([decipher.update(data.subarray(payloadStart, packetEnd - 16)), decipher.final()]);
    return { plain };
  } catch {
    return { error: 'Decryption (checktag) failed: Checksum error' };
  }
}

const RETRY_V1 = { key: Buffer.from('be0c690b9f66575a1d766b54e368c84e', 'hex'), nonce: Buffer.from('461599d35d632bf2239825bb', 'hex') };
const RETRY_DRAFT_29 = { key: Buffer.from('ccce187ed09a09d05728155a6cb96be1', 'hex'), nonce: Buffer.from('e54930f97f2136f0530a8c1c', 'hex') };
const RETRY_DRAFT_25 = { key: Buffer.from('4d32ecdb2a2133c841e4043df27d4430', 'hex'), nonce: Buffer.from('4d1611d05513a552c587d575', 'hex') };
const RETRY_V2_DRAFT_00 = { key: Buffer.from('ba858dc7b43de5dbf87617ff4ab253db', 'hex'), nonce: Buffer.from('141b99c239b03e785d6a2e9f', 'hex') };

/** The Retry Integrity Tag checked (RFC 9001 §5.8) against the client's original DCID. */
export function retryTagValid(packet: Buffer, odcid: Buffer, version: number): boolean {
  const fixed = draftMax(version, 28) ? RETRY_DRAFT_25 : draftMax(version, 32) ? RETRY_DRAFT_29 : draftMax(version, 34) ? RETRY_V1 : RETRY_V2_DRAFT_00;
  if (packet.length < 16) return false;
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-128-gcm', fixed.key, fixed.nonce);
    decipher.setAAD(Buffer.concat([Buffer.from([odcid.length]), odcid, packet.subarray(0, packet.length - 16)]));
    decipher.setAuthTag(packet.subarray(packet.length - 16));
    decipher.final();
    return true;
  } catch {
    return false;
  }
}

/**
 * The key descriptor of an EAPOL-Key frame (802.1X type 3) as tshark 4.0 shows it inside the
 * eapol tree: the RC4 descriptor of 802.1X-2001 (type 1, eapol.keydes.*), and the WPA (254) and
 * RSN (2) descriptors of the 4-way and group key handshakes, which Wireshark's 802.11 dissector
 * decodes (wlan_rsna_eapol.keydes.*, with the message number and "Key (Message 1 of 4)" Info), their
 * unencrypted key data as 802.11 tagged parameters (RSN IE, KDEs, the WPA IE).
 */
import { hex, StopDissection, type LayerBuilder } from './builder';
import { addExpertTo } from './expert';
import { bitPicture, bytesHex, setText } from './format';
import { addTaggedParameter, ssidText } from './wlan';

const DESCRIPTOR_TYPES: Record<number, string> = { 1: 'RC4 Descriptor', 2: 'EAPOL RSN Key', 254: 'EAPOL WPA Key' };
const DESCRIPTOR_VERSIONS: Record<number, string> = {
  1: 'RC4 Cipher, HMAC-MD5 MIC', 2: 'AES Cipher, HMAC-SHA1 MIC', 3: 'AES Cipher, AES-128-CMAC MIC',
};

const KEY_TYPE = 0x0008;
const INSTALL = 0x0040;
const KEY_ACK = 0x0080;
const KEY_MIC = 0x0100;
const SECURE = 0x0200;
const ERROR = 0x0400;
const REQUEST = 0x0800;
const ENCRYPTED_KEY_DATA = 0x1000;

/** Key Information's bits after the version and the key type: mask, field, label. */
const KEY_INFO_FLAGS: Array<[number, string, string]> = [
  [INSTALL, 'install', 'Install'],
  [KEY_ACK, 'key_ack', 'Key ACK'],
  [KEY_MIC, 'key_mic', 'Key MIC'],
  [SECURE, 'secure', 'Secure'],
  [ERROR, 'error', 'Error'],
  [REQUEST, 'request', 'Request'],
  [ENCRYPTED_KEY_DATA, 'encrypted_key_data', 'Encrypted Key Data'],
  [0x2000, 'smk_message', 'SMK Message'],
];

/** A bytes field's label text as tshark cuts it: 36 bytes at most, then "…". */
function cutHex(data: Buffer, at: number, length: number): string {
  return length > 36 ? `${bytesHex(data, at, 36)}…` : bytesHex(data, at, length);
}

/** Reads bounded by the EAPOL body (malformed past it, as tshark's subset buffer) and the capture (truncated). */
function bodyReader(b: LayerBuilder, end: number) {
  const need = (o: number, n: number, what: string): void => {
    if (o + n > end) throw new StopDissection('malformed', `${what} runs past the end of the EAPOL body`);
    b.need(o, n, what);
  };
  return {
    need,
    u8: (o: number, what: string): number => (need(o, 1, what), b.data[o]!),
    u16: (o: number, what: string): number => (need(o, 2, what), b.data.readUInt16BE(o)),
    bytes: (o: number, n: number, what: string): Buffer => (need(o, n, what), b.data.subarray(o, o + n)),
  };
}

/**
 * Adds the key descriptor at data[at, end) (end: the EAPOL body's end) to the eapol layer `b`.
 * `setInfo` gets the Info text ("Key (Message 1 of 4)") as soon as it is known, so that a frame
 * found malformed later keeps it, as in tshark; a frame without one keeps "Key".
 */
export function addKeyDescriptor(b: LayerBuilder, at: number, end: number, setInfo: (info: string) => void): void {
  const { u8 } = bodyReader(b, end);
  const type = u8(at, 'key descriptor type');
  b.add('eapol.keydes.type', () => `Key Descriptor Type: ${DESCRIPTOR_TYPES[type] ?? 'Unknown'} (${type})`, type, at, 1);
  if (type === 1) {
    rc4Descriptor(b, at + 1, end);
    return;
  }
  if (type !== 2 && type !== 254) return;
  // 802.11's RSNA EAPOL dissector: its exceptions are named after it.
  try {
    rsnaDescriptor(b, at, end, setInfo);
  } catch (err) {
    if (!(err instanceof StopDissection)) throw err;
    b.mark(err.status, err.problem);
    b.layer.problemProtocol = 'wlan_rsna_eapol';
  }
}

/** The WPA and RSN key descriptors after their type byte (data[at] is the type). */
function rsnaDescriptor(b: LayerBuilder, at: number, end: number, setInfo: (info: string) => void): void {
  const data = b.data;
  const { need, u16, bytes: readBytes } = bodyReader(b, end);
  // Wireshark reads the key data length (after a MIC of 16 bytes) before anything else.
  need(at + 93, 2, 'key data length');
  const info = u16(at + 1, 'key information');
  const message = messageNumber(data, at, info);
  setInfo(message.info);
  if (message.number > 0) b.add('wlan_rsna_eapol.keydes.msgnr', () => `[Message number: ${message.number}]`, message.number, at, 0);
  const version = info & 7;
  b.group('wlan_rsna_eapol.keydes.key_info', () => `Key Information: ${hex(info, 4)}`, info, at + 1, 2, () => {
    const pic = (mask: number): string => bitPicture(info, mask, 16);
    b.add('wlan_rsna_eapol.keydes.key_info.keydes_version', () => `${pic(7)} = Key Descriptor Version: ${DESCRIPTOR_VERSIONS[version] ?? 'Unknown'} (${version})`, version, at + 1, 2);
    b.add('wlan_rsna_eapol.keydes.key_info.key_type', () => `${pic(KEY_TYPE)} = Key Type: ${info & KEY_TYPE ? 'Pairwise Key' : 'Group Key'}`, (info & KEY_TYPE) !== 0, at + 1, 2);
    const index = (info >> 4) & 3;
    b.add('wlan_rsna_eapol.keydes.key_info.key_index', () => `${pic(0x30)} = Key Index: ${index}`, index, at + 1, 2);
    for (const [mask, name, label] of KEY_INFO_FLAGS) {
      b.add(`wlan_rsna_eapol.keydes.key_info.${name}`, () => `${pic(mask)} = ${label}: ${setText((info & mask) !== 0)}`, (info & mask) !== 0, at + 1, 2);
    }
  }, () => hex(info, 4));
  const keyLength = u16(at + 3, 'key length');
  b.add('eapol.keydes.key_len', () => `Key Length: ${keyLength}`, keyLength, at + 3, 2);
  need(at + 5, 8, 'replay counter');
  const replay = data.readBigUInt64BE(at + 5);
  b.add('eapol.keydes.replay_counter', () => `Replay Counter: ${replay}`, replay, at + 5, 8, () => String(replay));
  let o = at + 13;
  for (const [abbrev, label, size] of FIXED) {
    const bytes = readBytes(o, size, label);
    b.add(abbrev, () => `${label}: ${bytes.toString('hex')}`, bytes, o, size, () => bytes.toString('hex'));
    o += size;
  }
  const dataLength = u16(o, 'key data length');
  b.add('wlan_rsna_eapol.keydes.data_len', () => `WPA Key Data Length: ${dataLength}`, dataLength, o, 2);
  o += 2;
  if (dataLength > 0) {
    // A length past the body: the fields so far, then malformed.
    const stop = o + dataLength;
    const bytes = readBytes(o, dataLength, 'key data');
    const keyData = o;
    const dataText = (): string => bytes.toString('hex');
    b.group('wlan_rsna_eapol.keydes.data', () => `WPA Key Data: ${cutHex(data, keyData, stop - keyData)}`, bytes, keyData, stop - keyData, () => {
      // Encrypted key data (message 3; a group key's, as WPA sends it) is shown as bytes only.
      if (info & ENCRYPTED_KEY_DATA || (info & KEY_TYPE) === 0) return;
      // Wireshark parses the elements to the end of the EAPOL body, whatever the data length says.
      const tagsEnd = Math.min(end, data.length);
      let ssid = false;
      for (let t = keyData; t < tagsEnd; ) {
        const next = addTaggedParameter(b, t, tagsEnd);
        // An SSID element (zero bytes of padding read as elements) names itself in Info, once.
        if (data[t] === 0 && !ssid) {
          ssid = true;
          setInfo(`${message.info}, SSID=${ssidText(data, t + 2, next - t - 2)}`);
        }
        t = next;
      }
    }, dataText);
  }
  // Bytes after the key data (its length short of the body): tshark's warning, unless only one.
  const after = o + dataLength;
  const captured = Math.min(end, data.length);
  if (after < captured - 1) {
    const extra = data.subarray(after, captured);
    const field = b.add('wlan_rsna_eapol.extraneous', () => `WPA EAPOL Extraneous Data: ${cutHex(data, after, captured - after)}`, extra, after, captured - after, () => extra.toString('hex'));
    addExpertTo(b, field, 'ieee80211.invalid_value', 'Warning', 'Malformed', 'Extraneous and invalid data in EAPOL frame');
  }
}

/** The fields between the replay counter and the key data length: field, label, size. */
const FIXED: Array<[string, string, number]> = [
  ['wlan_rsna_eapol.keydes.nonce', 'WPA Key Nonce', 32],
  ['eapol.keydes.key_iv', 'Key IV', 16],
  ['wlan_rsna_eapol.keydes.rsc', 'WPA Key RSC', 8],
  ['wlan_rsna_eapol.keydes.id', 'WPA Key ID', 8],
  ['wlan_rsna_eapol.keydes.mic', 'WPA Key MIC', 16],
];

/**
 * Which handshake message a WPA/RSN key frame is, from its Key Information bits (and, for message
 * 2 against 4, whether it carries key data), and the Info tshark shows for it.
 */
function messageNumber(data: Buffer, at: number, info: number): { number: number; info: string } {
  if (info & REQUEST) return { number: 0, info: info & ERROR ? 'Key (Request, Error)' : 'Key (Request)' };
  if (info & KEY_TYPE) {
    // Only ACK and Install tell the messages apart (implementations set MIC and Secure their own
    // ways); 2 and 4 by the key data (a 12-byte one is message 4's padding).
    if ((info & (KEY_ACK | INSTALL)) === KEY_ACK) return { number: 1, info: 'Key (Message 1 of 4)' };
    if ((info & (KEY_ACK | INSTALL)) === (KEY_ACK | INSTALL)) return { number: 3, info: 'Key (Message 3 of 4)' };
    const dataLength = data.readUInt16BE(at + 93);
    return dataLength !== 0 && dataLength !== 12 ? { number: 2, info: 'Key (Message 2 of 4)' } : { number: 4, info: 'Key (Message 4 of 4)' };
  }
  return info & KEY_ACK ? { number: 1, info: 'Key (Group Message 1 of 2)' } : { number: 2, info: 'Key (Group Message 2 of 2)' };
}

/** 802.1X-2001's RC4 key descriptor: lengths, counter, IV, index, signature, and the key when sent. */
function rc4Descriptor(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  const { need, u8, u16, bytes: readBytes } = bodyReader(b, end);
  const keyLength = u16(at, 'key length');
  b.add('eapol.keydes.key_len', () => `Key Length: ${keyLength}`, keyLength, at, 2);
  need(at + 2, 8, 'replay counter');
  const replay = data.readBigUInt64BE(at + 2);
  b.add('eapol.keydes.replay_counter', () => `Replay Counter: ${replay}`, replay, at + 2, 8, () => String(replay));
  const iv = readBytes(at + 10, 16, 'key IV');
  b.add('eapol.keydes.key_iv', () => `Key IV: ${iv.toString('hex')}`, iv, at + 10, 16, () => iv.toString('hex'));
  const index = u8(at + 26, 'key index');
  b.group('eapol.keydes.key_index', () => `Key Index: ${hex(index, 2)}`, index, at + 26, 1, () => {
    b.add('eapol.keydes.key_index.type', () => `${bitPicture(index, 0x80, 8)} = Type: ${index & 0x80 ? 'Unicast' : 'Broadcast'}`, (index & 0x80) !== 0, at + 26, 1);
    b.add('eapol.keydes.key_index.number', () => `${bitPicture(index, 0x7f, 8)} = Number: ${index & 0x7f}`, index & 0x7f, at + 26, 1);
  }, () => hex(index, 2));
  const signature = readBytes(at + 27, 16, 'key signature');
  b.add('eapol.keydes.key_signature', () => `Key Signature: ${signature.toString('hex')}`, signature, at + 27, 16, () => signature.toString('hex'));
  const keyAt = at + 43;
  const keyBytes = Math.max(0, end - keyAt);
  if (keyBytes > 0) {
    const key = readBytes(keyAt, keyBytes, 'key');
    b.add('eapol.keydes.key', () => `Key: ${cutHex(data, keyAt, keyBytes)}`, key, keyAt, keyBytes, () => key.toString('hex'));
  }
  // No key in the frame: each side derives it itself.
  b.add('eapol.keydes.key.generated_locally', () => `Key Generated Locally: ${keyBytes > 0 ? 'False' : 'True'}`, keyBytes === 0, keyAt, 0);
}

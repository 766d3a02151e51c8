/**
 * The authentication verifier at the end of a connection-oriented DCE/RPC PDU as tshark 4.0 shows
 * it (packet-dcerpc.c, dissect_dcerpc_cn_auth): "Auth Info: NTLMSSP, Packet integrity,
 * AuthContextId(0)" with its type, level, pad length, reserved byte and context ID, then the
 * verifier's bytes handed to the subdissector registered for that type and level
 * (register_dcerpc_auth_subdissector), or shown as Auth Credentials when none is:
 *
 * - NTLMSSP (10) at levels Connect, Packet, Packet integrity, Packet privacy: a Bind's, Bind_ack's,
 *   Alter_context's or AUTH3's NTLMSSP message, a Request's or Response's NTLMSSP Verifier; called
 *   directly (dissect_ntlmssp), so frame.protocols gains nothing.
 * - SPNEGO (9) at Connect, Packet integrity, Packet privacy, and Kerberos SSP (16)'s verifiers:
 *   GSS-API (dissect_gssapi, again called directly: no name in frame.protocols), which hands the
 *   token by handle to SPNEGO, NTLMSSP or Kerberos 5's wrap token, and those do add their names.
 *   At Packet privacy the stub's decryption asks GSS-API once more (wrap_dissect_gssapi_payload,
 *   no tree): the verifier's handler adds its name a second time.
 *
 * The GSS-API, SPNEGO and NTLMSSP trees go inside Auth Info as tshark nests them; the names they
 * add to frame.protocols come back in `chain`, each with an empty layer that holds its protocol.
 * Left out: Kerberos' own tokens (AP-REQ in a Bind, the wrap token's fields), NETLOGON's secure
 * channel verifier, decryption.
 */
import type { LayerBuilder } from './builder';
import { berOid, readBer } from './ber';
import { dissectSecurityBlob, krb5CfxGetMic, ntlmssp, ntlmsspVerifier, type SecurityBlobResult } from './gss';
import type { Field, Layer } from './model';

const AUTH_TYPES: Record<number, string> = {
  0: 'None', 1: 'Kerberos 5', 9: 'SPNEGO', 10: 'NTLMSSP', 14: 'SCHANNEL SSP', 16: 'Kerberos SSP', 17: 'Distributed Password Authentication SSP',
  18: 'MSN SSP', 21: 'Digest SSP', 68: 'NETLOGON Secure Channel', 100: 'MSMQ SSP',
};
const AUTH_LEVELS: Record<number, string> = { 1: 'None', 2: 'Connect', 3: 'Call', 4: 'Packet', 5: 'Packet integrity', 6: 'Packet privacy' };
const NTLMSSP = 10;
const SPNEGO = 9;
const GSS_KERBEROS = 16;
const SEC_CHAN = 68;
const PRIVACY = 6;
const KRB5_OIDS = new Set(['1.2.840.113554.1.2.2', '1.2.840.48018.1.2.2']);

/** What the verifier adds besides the dcerpc layer's fields. */
export interface DcerpcAuth {
  /** Empty layers of the protocols the verifier's subdissectors were called by handle, in order. */
  layers: Layer[];
  /** What the subdissectors append to Info (", NTLMSSP_NEGOTIATE"). */
  info: string;
  /** The verifier's bytes with its 8-byte header (auth_size): not stub data. */
  size: number;
}

/** The verifier's type and level, when a PDU has one (for the stub's length and its encryption). */
export function dcerpcAuthSize(authLen: number, fragLen: number, stubFrom: number): number {
  return authLen !== 0 && authLen + 8 <= fragLen - stubFrom ? authLen + 8 : 0;
}

/**
 * dissect_dcerpc_cn_auth for the PDU at data[offset] of type `ptype` whose stub (or body) starts
 * at stubAt; `stop` is where its captured bytes end. Adds Auth Info to `b`.
 */
export function dissectDcerpcAuth(b: LayerBuilder, data: Buffer, offset: number, stop: number, ptype: number, fragLen: number, authLen: number, stubAt: number, little: boolean): DcerpcAuth {
  const out: DcerpcAuth = { layers: [], info: '', size: 0 };
  const size = dcerpcAuthSize(authLen, fragLen, stubAt - offset);
  if (size === 0) return out;
  const at = offset + fragLen - size;
  if (at !== offset && at - 1 >= stop) return out;
  out.size = size;
  if (at + 8 > stop) {
    b.add('dcerpc.auth_info', 'Auth Info', null, at, Math.max(0, stop - at));
    b.mark('truncated', 'DCE/RPC auth verifier was not captured');
    return out;
  }
  const type = data[at]!;
  const level = data[at + 1]!;
  const padLen = data[at + 2]!;
  const reserved = data[at + 3]!;
  const ctxId = little ? data.readUInt32LE(at + 4) : data.readUInt32BE(at + 4);
  const from = at + 8;
  const to = Math.min(stop, from + authLen);
  b.group('dcerpc.auth_info', () => `Auth Info: ${AUTH_TYPES[type] ?? `AuthType(${type})`}, ${AUTH_LEVELS[level] ?? `AuthLevel(${level})`}, AuthContextId(${ctxId})`, null, at, size, () => {
    b.add('dcerpc.auth_type', () => `Auth type: ${AUTH_TYPES[type] ?? 'Unknown'} (${type})`, type, at, 1);
    b.add('dcerpc.auth_level', () => `Auth level: ${AUTH_LEVELS[level] ?? 'Unknown'} (${level})`, level, at + 1, 1);
    b.add('dcerpc.auth_pad_len', () => `Auth pad len: ${padLen}`, padLen, at + 2, 1);
    b.add('dcerpc.auth_rsrvd', () => `Auth Rsrvd: ${reserved}`, reserved, at + 3, 1);
    b.add('dcerpc.auth_ctx_id', () => `Auth Context ID: ${ctxId}`, ctxId, at + 4, 4);
    const handshake = ptype === 11 || ptype === 12 || ptype === 14 || ptype === 15 || ptype === 16;
    const verifier = ptype === 0 || ptype === 2 || ptype === 3 || ptype === 18 || ptype === 19;
    const registered =
      (type === NTLMSSP && (level === 2 || level === 4 || level === 5 || level === 6)) ||
      ((type === SPNEGO || type === GSS_KERBEROS) && (level === 2 || level === 5 || level === 6)) ||
      (type === SEC_CHAN && (level === 5 || level === 6));
    if (!registered) {
      const credentials = data.subarray(from, to);
      b.add('dcerpc.auth_credentials', () => `Auth Credentials: ${credentials.toString('hex', 0, 36)}${credentials.length > 36 ? '…' : ''}`, credentials, from, authLen, () => credentials.toString('hex'));
      return;
    }
    if (type === NTLMSSP) {
      if (handshake && to > from) {
        const r: SecurityBlobResult = { layers: [], info: '' };
        ntlmssp(data, from, to, b.selection, r);
        for (const layer of r.layers) b.push(asField(layer));
        out.info += r.info;
      } else if (verifier) {
        const layer = ntlmsspVerifier(data, from, to, b.selection);
        // dissect_ntlmssp_verf adds its item to the tree it is given, with no NTLMSSP item around it.
        if (layer !== undefined) for (const f of layer.fields) b.push(f);
      }
    } else if (type === SPNEGO || (type === GSS_KERBEROS && verifier && level !== 2)) {
      if (!handshake && !verifier) return;
      const r = gssapi(data, from, to, verifier, b.selection);
      b.push(r.field);
      out.layers.push(...r.chain.map(marker));
      out.info += r.info;
      // Packet privacy: the stub's decryption calls GSS-API again on the verifier.
      if (level === PRIVACY && (ptype === 0 || ptype === 2 || ptype === 3)) out.layers.push(...gssapiPayload(data, from, to).map(marker));
    }
  });
  return out;
}

/** A layer's tree as one field of another layer's tree (the protocol item and its subtree). */
function asField(layer: Layer): Field {
  return { abbrev: layer.protocol, label: layer.title, value: null, text: '', offset: layer.offset, length: layer.length, children: layer.fields };
}

/** A layer that only names its protocol (in frame.protocols and to filters); its tree is elsewhere. */
function marker(protocol: string): Layer {
  return { protocol, title: '', offset: 0, length: 0, fields: [], status: 'ok', chainOnly: true };
}

/**
 * dissect_gssapi_work on the verifier data[from, to): the GSS-API item with what its token's
 * subdissector shows inside it, and the names the subdissectors called by handle add.
 */
function gssapi(data: Buffer, from: number, to: number, verifier: boolean, selection?: ReadonlySet<string>): { field: Field; chain: string[]; info: string } {
  const children: Field[] = [];
  const field: Field = { abbrev: 'gss-api', label: 'GSS-API Generic Security Service Application Program Interface', value: null, text: '', offset: from, length: to - from, children };
  const chain: string[] = [];
  let info = '';
  const n = to - from;
  const startsWith = (bytes: string): boolean => n >= bytes.length / 2 && data.toString('hex', from, from + bytes.length / 2) === bytes;
  if (n <= 0) return { field, chain, info };
  if (data[from] === 0x60) {
    const app = readBer(data, from, to);
    const oid = app.ok ? readBer(data, app.tlv.valueStart, app.tlv.valueEnd) : undefined;
    const name = oid?.ok && oid.tlv.tag === 6 ? berOid(data, oid.tlv.valueStart, oid.tlv.length) : undefined;
    if (name !== undefined && KRB5_OIDS.has(name)) chain.push('spnego-krb5');
  }
  if (n > 7 && data.toString('latin1', from, from + 7) === 'NTLMSSP') {
    const r: SecurityBlobResult = { layers: [], info: '' };
    ntlmssp(data, from, to, selection, r);
    children.push(...r.layers.map(asField));
    chain.push('ntlmssp');
    return { field, chain, info: r.info };
  }
  if (data[from] !== 0x60 && startsWith('01000000') && n >= 16) {
    // NTLMSSP's signature: a verifier of exactly 16 bytes (a longer one is a sealed payload).
    if (n > 16 || verifier) chain.push('ntlmssp');
    const layer = n === 16 && verifier ? ntlmsspVerifier(data, from, to, selection) : undefined;
    if (layer !== undefined) children.push(...layer.fields);
    return { field, chain, info };
  }
  if (startsWith('0404') || startsWith('0504')) {
    // A Kerberos 5 CFX token (spnego-krb5-wrap).
    chain.push('spnego-krb5');
    const blob = krb5CfxGetMic(data, from, to, selection);
    if (blob !== undefined) children.push(...blob);
    return { field, chain, info };
  }
  if (chain.length > 0) return { field, chain, info };
  // An InitialContextToken naming SPNEGO, or a negTokenInit / negTokenTarg after one.
  const r = dissectSecurityBlob(data, from, to, selection);
  const inner = r.layers.filter((l) => l.protocol !== 'gss-api');
  const gss = r.layers.find((l) => l.protocol === 'gss-api');
  if (gss !== undefined) children.push(...gss.fields);
  // The NTLMSSP message sits inside the SPNEGO token that carried it.
  const spnego = inner.find((l) => l.protocol === 'spnego');
  const spnegoField = spnego !== undefined ? asField(spnego) : undefined;
  if (spnegoField !== undefined) children.push(spnegoField);
  for (const layer of inner) {
    chain.push(layer.protocol);
    if (layer === spnego) continue;
    if (layer.fields[0]?.abbrev === 'ntlmssp.verf') {
      // The mechListMIC's verifier, beside it in negTokenTarg.
      const targ = spnegoField?.children?.[0];
      if (targ !== undefined) (targ.children ??= []).push(...layer.fields);
      else children.push(...layer.fields);
      continue;
    }
    const token = spnegoField !== undefined ? findToken(spnegoField.children ?? []) : undefined;
    if (token !== undefined) (token.children ??= []).push(asField(layer));
    else children.push(asField(layer));
  }
  chain.push(...(r.handles ?? []));
  if (r.micFields !== undefined) {
    const targ = spnegoField?.children?.[0];
    if (targ !== undefined) (targ.children ??= []).push(...r.micFields);
  }
  info = r.info;
  return { field, chain, info };
}

function findToken(fields: Field[]): Field | undefined {
  for (const f of fields) {
    if (f.abbrev === 'spnego.mechToken' || f.abbrev === 'spnego.responseToken') return f;
    const inner = f.children !== undefined ? findToken(f.children) : undefined;
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** wrap_dissect_gssapi_payload: the names GSS-API's second look at a sealed stub's verifier adds. */
function gssapiPayload(data: Buffer, from: number, to: number): string[] {
  const n = to - from;
  if (n <= 0) return [];
  const head = data.toString('hex', from, from + Math.min(n, 4));
  if (n > 7 && data.toString('latin1', from, from + 7) === 'NTLMSSP') return ['ntlmssp'];
  // A signature of 16 bytes goes to ntlmssp_data_only, which declines without a key: call_dissector
  // then shows the stub as data (with no tree item).
  if (head === '01000000' && n === 16) return ['data'];
  if (head === '01000000' && n > 16) return ['ntlmssp'];
  if (head.startsWith('0404') || head.startsWith('0504')) return ['spnego-krb5'];
  return [];
}

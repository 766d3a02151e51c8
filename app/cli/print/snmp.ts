/**
 * SNMP (UDP 161 and 162) as tcpdump 4.99's print-snmp.c prints it without libsmi (Debian's build):
 * ` GetResponse(130)  .1.3.6.1.2.1.1.1.0="Linux …"` — the PDU's name and length, the
 * variable bindings (values only where the PDU carries them), a community other than "public"
 * (`C=private `), GetBulk's non-repeaters and max-repetitions, errors, v1 traps and the v3 message
 * (flags, user, context engine and name); -v adds the braces, the version, the request ID and
 * USM's engine boots and time. Its own BER reader (asn1_parse) with its messages for what it
 * cannot parse (`[len12<asnlen40]`, `[id?P/x/17]`, …).
 *
 * OIDs are printed as numbers, as tcpdump does with -n. Without -n tcpdump names them from its
 * compiled-in 1990 MIB tree (`system.sysDescr.0`), which Sievecap does not carry: snmpPrintable
 * is then false and the packet prints as `UDP, length N`.
 */
import { PrintContext } from './context';

const enum Type { Any = 255, None = 0, Null = 1, Octet = 2, Oid = 3, Int = 4, Uns = 5, Str = 6, Seq = 7, InetAddr = 8, Pdu = 9, Uns64 = 10, NoSuchObject = 128, NoSuchInst = 129, EndOfMibView = 130 }

const UNIVERSAL = ['U-0', 'Boolean', 'Integer', 'Bitstring', 'String', 'Null', 'ObjID', 'ObjectDes', 'U-8', 'U-9', 'U-10', 'U-11', 'U-12', 'U-13', 'U-14', 'U-15', 'Sequence', 'Set'];
const APPLICATION = ['IpAddress', 'Counter', 'Gauge', 'TimeTicks', 'Opaque', 'C-5', 'Counter64'];
const CONTEXT = ['GetRequest', 'GetNextRequest', 'GetResponse', 'SetRequest', 'Trap', 'GetBulk', 'Inform', 'V2Trap', 'Report'];
const PRIVATE = ['P-0'];
const EXCEPTIONS = ['noSuchObject', 'noSuchInstance', 'endOfMibView'];
const CLASS_IDS = [UNIVERSAL, APPLICATION, CONTEXT, PRIVATE, EXCEPTIONS];
const FORM = ['Primitive', 'Constructed'];
const ERROR_STATUS = [
  'noError', 'tooBig', 'noSuchName', 'badValue', 'readOnly', 'genErr', 'noAccess', 'wrongType',
  'wrongLength', 'wrongEncoding', 'wrongValue', 'noCreation', 'inconsistentValue',
  'resourceUnavailable', 'commitFailed', 'undoFailed', 'authorizationError', 'notWritable',
  'inconsistentName',
];
const GENERIC_TRAP = ['coldStart', 'warmStart', 'linkDown', 'linkUp', 'authenticationFailure', 'egpNeighborLoss', 'enterpriseSpecific'];
const VERSIONS = ['SNMPv1', 'SNMPv2c', 'SNMPv2u', 'SNMPv3'];

const GETREQ = 0;
const GETNEXTREQ = 1;
const SETREQ = 3;
const TRAP = 4;
const GETBULKREQ = 5;
const INFORMREQ = 6;
const V2TRAP = 7;
const REPORT = 8;

/** One BER element as asn1_parse leaves it in its `struct be`. */
interface Element {
  asnlen: number;
  type: Type;
  id: number;
  form: number;
  cls: number;
  /** Offset of the contents (data.raw / data.str). */
  data: number;
  integer: number;
  uns64: bigint;
}

/** Whether snmpPrint prints this packet as tcpdump does: OIDs by number need -n (see the file's comment). */
export function snmpPrintable(ctx: PrintContext): boolean {
  return ctx.flags.numeric;
}

/**
 * asn1_parse: the element at p, or null after printing why not (tcpdump returns -1). Reads of the
 * header's bytes past the capture end the packet (` [|snmp]`, tcpdump's longjmp); contents past it
 * print the mark and return null, as its ND_TCHECK_LEN does.
 */
function parse(ctx: PrintContext, p: number, len: number): { elem: Element; count: number } | null {
  if (len < 1) {
    ctx.print('[nothing to parse]');
    return null;
  }
  const first = ctx.u8(p);
  let id = first & 0x1f;
  const form = (first & 0x20) >> 5;
  const cls = (first & 0xc0) >> 6;
  p++;
  len--;
  let hdr = 1;
  if (id === 0x1f) {
    id = 0;
    while (ctx.u8(p) & 0x80) {
      if (len < 1) {
        ctx.print('[Xtagfield?]');
        return null;
      }
      id = ((id << 7) | (ctx.u8(p) & 0x7f)) & 0xff;
      len--;
      hdr++;
      p++;
    }
    if (len < 1) {
      ctx.print('[Xtagfield?]');
      return null;
    }
    id = ((id << 7) | ctx.u8(p)) & 0xff;
    len--;
    hdr++;
    p++;
  }
  if (len < 1) {
    ctx.print('[no asnlen]');
    return null;
  }
  let asnlen = ctx.u8(p);
  p++;
  len--;
  hdr++;
  if (asnlen & 0x80) {
    let noct = asnlen % 0x80;
    asnlen = 0;
    if (len < noct) {
      ctx.print(`[asnlen? ${len}<${noct}]`);
      return null;
    }
    if (!ctx.has(p, noct)) {
      ctx.printTrunc();
      return null;
    }
    for (; noct !== 0; len--, hdr++, noct--) {
      asnlen = ((asnlen << 8) | ctx.u8(p)) >>> 0;
      p++;
    }
  }
  if (len < asnlen) {
    ctx.print(`[len${len}<asnlen${asnlen}]`);
    return null;
  }
  if (id >= CLASS_IDS[cls]!.length) {
    ctx.print(`[id?${FORM[form]![0]}/x/${id}]`);
    return null;
  }
  if (!ctx.has(p, asnlen)) {
    ctx.printTrunc();
    return null;
  }
  const elem: Element = { asnlen, type: Type.Any, id, form, cls, data: p, integer: 0, uns64: 0n };
  if (form === 0) {
    if (cls === 0) {
      if (id === 4) elem.type = Type.Str;
      else if (id === 2) {
        elem.type = Type.Int;
        if (asnlen === 0) {
          ctx.print('[asnlen=0]');
          return null;
        }
        let data = ctx.u8(p) & 0x80 ? -1 : 0;
        for (let i = 0; i < asnlen; i++) data = (data << 8) | ctx.u8(p + i);
        elem.integer = data;
      } else if (id === 6) elem.type = Type.Oid;
      else if (id === 5) elem.type = Type.Null;
      else {
        elem.type = Type.Octet;
        ctx.print(`[P/U/${UNIVERSAL[id]}]`);
      }
    } else if (cls === 1) {
      if (id === 0) elem.type = Type.InetAddr;
      else if (id === 1 || id === 2 || id === 3) {
        elem.type = Type.Uns;
        let data = 0;
        for (let i = 0; i < asnlen; i++) data = ((data << 8) + ctx.u8(p + i)) >>> 0;
        elem.integer = data;
      } else if (id === 6) {
        elem.type = Type.Uns64;
        let data = 0n;
        for (let i = 0; i < asnlen; i++) data = ((data << 8n) + BigInt(ctx.u8(p + i))) & 0xffffffffffffffffn;
        elem.uns64 = data;
      } else {
        elem.type = Type.Octet;
        ctx.print(`[P/A/${APPLICATION[id]}]`);
      }
    } else if (cls === 2) {
      if (id === 0) elem.type = Type.NoSuchObject;
      else if (id === 1) elem.type = Type.NoSuchInst;
      else if (id === 2) elem.type = Type.EndOfMibView;
    } else {
      ctx.print(`[P/x/${CLASS_IDS[cls]![id]}]`);
      elem.type = Type.Octet;
    }
  } else if (cls === 0) {
    if (id === 16) elem.type = Type.Seq;
    else {
      elem.type = Type.Octet;
      ctx.print(`C/U/${UNIVERSAL[id]}`);
    }
  } else if (cls === 2) elem.type = Type.Pdu;
  else {
    elem.type = Type.Octet;
    ctx.print(`C/x/${CLASS_IDS[cls]![id]}`);
  }
  return { elem, count: asnlen + hdr };
}

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16);
}

/** asn1_print_octets: `_0a_0b`. */
function printOctets(ctx: PrintContext, elem: Element): boolean {
  if (!ctx.has(elem.data, elem.asnlen)) {
    ctx.printTrunc();
    return false;
  }
  for (let i = 0; i < elem.asnlen; i++) ctx.print(`_${hex2(ctx.u8(elem.data + i))}`);
  return true;
}

/** asn1_print_string: quoted when every byte is printable ASCII, else `0a_0b`. */
function printString(ctx: PrintContext, elem: Element): boolean {
  if (!ctx.has(elem.data, elem.asnlen)) {
    ctx.printTrunc();
    return false;
  }
  let printable = true;
  for (let i = 0; i < elem.asnlen && printable; i++) {
    const c = ctx.u8(elem.data + i);
    printable = c >= 0x20 && c < 0x7f;
  }
  if (printable) ctx.print(`"${ctx.data.toString('latin1', elem.data, elem.data + elem.asnlen)}"`);
  else for (let i = 0; i < elem.asnlen; i++) ctx.print((i ? '_' : '') + hex2(ctx.u8(elem.data + i)));
  return true;
}

/** asn1_print (OIDs by number, as with -n). */
function print(ctx: PrintContext, elem: Element): boolean {
  switch (elem.type) {
    case Type.Octet:
      return printOctets(ctx, elem);
    case Type.Null:
      return true;
    case Type.Oid: {
      let o = 0;
      let first = -1;
      for (let i = 0; i < elem.asnlen; i++) {
        const b = ctx.u8(elem.data + i);
        o = ((o << 7) + (b & 0x7f)) | 0;
        if (b & 0x80) continue;
        if (first < 0) {
          first = 0;
          let s = Math.trunc(o / 40);
          if (s > 2) s = 2;
          ctx.print(`.${s >>> 0}`);
          o -= s * 40;
        }
        ctx.print(`.${o >>> 0}`);
        o = 0;
      }
      return true;
    }
    case Type.Int:
      ctx.print(String(elem.integer | 0));
      return true;
    case Type.Uns:
      ctx.print(String(elem.integer >>> 0));
      return true;
    case Type.Uns64:
      ctx.print(elem.uns64.toString());
      return true;
    case Type.Str:
      return printString(ctx, elem);
    case Type.Seq:
      ctx.print(`Seq(${elem.asnlen})`);
      return true;
    case Type.InetAddr: {
      if (elem.asnlen !== 4) ctx.print('[inetaddr len!=4]');
      if (!ctx.has(elem.data, elem.asnlen)) {
        ctx.printTrunc();
        return false;
      }
      for (let i = 0; i < elem.asnlen; i++) ctx.print(`${i ? '.' : ''}${ctx.u8(elem.data + i)}`);
      return true;
    }
    case Type.NoSuchObject:
    case Type.NoSuchInst:
    case Type.EndOfMibView:
      ctx.print(`[${EXCEPTIONS[elem.id]}]`);
      return true;
    case Type.Pdu:
      ctx.print(`${CONTEXT[elem.id]}(${elem.asnlen})`);
      return true;
    case Type.Any:
      ctx.print('[BE_ANY!?]');
      return true;
    default:
      ctx.print('[be!?]');
      return true;
  }
}

/** Parses the next element and checks its type: null (after tcpdump's message) when it is not. */
function expect(ctx: PrintContext, p: number, len: number, type: Type, message: string): { elem: Element; count: number } | null {
  const r = parse(ctx, p, len);
  if (r === null) return null;
  if (r.elem.type !== type) {
    ctx.print(message);
    print(ctx, r.elem);
    return null;
  }
  return r;
}

/** snmp_print, from the UDP payload. */
export function snmpPrint(ctx: PrintContext, np: number, length: number): void {
  ctx.protocol = 'snmp';
  ctx.print(' ');
  const verbose = ctx.flags.verbose > 0;
  const seq = expect(ctx, np, length, Type.Seq, '[!init SEQ]');
  if (seq === null) return;
  if (seq.count < length) ctx.print(`[${length - seq.count} extra after iSEQ]`);
  length = seq.elem.asnlen;
  np = seq.elem.data;
  const v = expect(ctx, np, length, Type.Int, '[version!=INT]');
  if (v === null) return;
  const version = v.elem.integer;
  if (version === 0 || version === 1 || version === 3) {
    if (verbose) ctx.print(`{ ${VERSIONS[version]} `);
  } else {
    ctx.print(`SNMP [version = ${version}]`);
    return;
  }
  length -= v.count;
  np += v.count;
  if (version === 3) v3MessagePrint(ctx, np, length);
  else communityPrint(ctx, np, length, version);
  if (verbose) ctx.print('} ');
}

function communityPrint(ctx: PrintContext, np: number, length: number, version: number): void {
  const c = expect(ctx, np, length, Type.Str, '[comm!=STR]');
  if (c === null) return;
  const e = c.elem;
  if (!(e.asnlen === 6 && ctx.data.toString('latin1', e.data, e.data + 6) === 'public')) {
    ctx.print('C=');
    if (!printString(ctx, e)) return;
    ctx.print(' ');
  }
  pduPrint(ctx, np + c.count, length - c.count, version);
}

function pduPrint(ctx: PrintContext, np: number, length: number, version: number): void {
  const r = parse(ctx, np, length);
  if (r === null) return;
  const pdu = r.elem;
  if (pdu.type !== Type.Pdu) {
    ctx.print('[no PDU]');
    return;
  }
  if (r.count < length) ctx.print(`[${length - r.count} extra after PDU]`);
  const verbose = ctx.flags.verbose > 0;
  if (verbose) ctx.print('{ ');
  if (!print(ctx, pdu)) return;
  ctx.print(' ');
  length = pdu.asnlen;
  np = pdu.data;
  if (version === 0 && (pdu.id === GETBULKREQ || pdu.id === INFORMREQ || pdu.id === V2TRAP || pdu.id === REPORT)) {
    ctx.print('[v2 PDU in v1 message]');
    return;
  }
  if (version === 1 && pdu.id === TRAP) {
    ctx.print('[v1 PDU in v2 message]');
    return;
  }
  if (pdu.id === TRAP) trapPduPrint(ctx, np, length);
  else snmpPduPrint(ctx, pdu.id, np, length);
  if (verbose) ctx.print(' } ');
}

const strictErrors = (id: number): boolean => id === GETREQ || id === GETNEXTREQ || id === SETREQ || id === INFORMREQ || id === V2TRAP || id === REPORT;

function snmpPduPrint(ctx: PrintContext, pduId: number, np: number, length: number): void {
  const req = expect(ctx, np, length, Type.Int, '[reqId!=INT]');
  if (req === null) return;
  if (ctx.flags.verbose) ctx.print(`R=${req.elem.integer} `);
  length -= req.count;
  np += req.count;
  const st = expect(ctx, np, length, Type.Int, '[errorStatus!=INT]');
  if (st === null) return;
  const status = st.elem.integer;
  const statusText = (e: number): string => (e >= 0 && e < ERROR_STATUS.length ? ERROR_STATUS[e]! : `err=${e >>> 0}`);
  let errorStatus = 0;
  if (strictErrors(pduId) && status !== 0) ctx.print(`[errorStatus(${statusText(status)})!=0]`);
  else if (pduId === GETBULKREQ) ctx.print(` N=${status}`);
  else if (status !== 0) {
    ctx.print(` ${statusText(status)}`);
    errorStatus = status;
  }
  length -= st.count;
  np += st.count;
  const ix = expect(ctx, np, length, Type.Int, '[errorIndex!=INT]');
  if (ix === null) return;
  const index = ix.elem.integer;
  if (strictErrors(pduId) && index !== 0) ctx.print(`[errorIndex(${index})!=0]`);
  else if (pduId === GETBULKREQ) ctx.print(` M=${index}`);
  else if (index !== 0) {
    if (!errorStatus) ctx.print(`[errorIndex(${index}) w/o errorStatus]`);
    else ctx.print(`@${index}`);
  } else if (errorStatus) ctx.print('[errorIndex==0]');
  length -= ix.count;
  np += ix.count;
  varbindPrint(ctx, pduId, np, length);
}

function trapPduPrint(ctx: PrintContext, np: number, length: number): void {
  ctx.print(' ');
  const ent = expect(ctx, np, length, Type.Oid, '[enterprise!=OID]');
  if (ent === null || !print(ctx, ent.elem)) return;
  length -= ent.count;
  np += ent.count;
  ctx.print(' ');
  const agent = expect(ctx, np, length, Type.InetAddr, '[agent-addr!=INETADDR]');
  if (agent === null || !print(ctx, agent.elem)) return;
  length -= agent.count;
  np += agent.count;
  const gen = expect(ctx, np, length, Type.Int, '[generic-trap!=INT]');
  if (gen === null) return;
  const generic = gen.elem.integer;
  ctx.print(` ${generic >= 0 && generic < GENERIC_TRAP.length ? GENERIC_TRAP[generic] : `gt=${generic}`}`);
  length -= gen.count;
  np += gen.count;
  const spec = expect(ctx, np, length, Type.Int, '[specific-trap!=INT]');
  if (spec === null) return;
  if (generic !== 6) {
    if (spec.elem.integer !== 0) ctx.print(`[specific-trap(${spec.elem.integer})!=0]`);
  } else ctx.print(` s=${spec.elem.integer}`);
  length -= spec.count;
  np += spec.count;
  ctx.print(' ');
  const time = expect(ctx, np, length, Type.Uns, '[time-stamp!=TIMETICKS]');
  if (time === null || !print(ctx, time.elem)) return;
  length -= time.count;
  np += time.count;
  varbindPrint(ctx, TRAP, np, length);
}

function varbindPrint(ctx: PrintContext, pduId: number, np: number, length: number): void {
  const list = expect(ctx, np, length, Type.Seq, '[!SEQ of varbind]');
  if (list === null) return;
  if (list.count < length) ctx.print(`[${length - list.count} extra after SEQ of varbind]`);
  length = list.elem.asnlen;
  np = list.elem.data;
  const request = pduId === GETREQ || pduId === GETNEXTREQ || pduId === GETBULKREQ;
  while (length) {
    ctx.print(' ');
    const vb = expect(ctx, np, length, Type.Seq, '[!varbind]');
    if (vb === null) return;
    const vbEnd = np + vb.count;
    const vbLength = length - vb.count;
    length = vb.elem.asnlen;
    np = vb.elem.data;
    const name = expect(ctx, np, length, Type.Oid, '[objName!=OID]');
    if (name === null || !print(ctx, name.elem)) return;
    length -= name.count;
    np += name.count;
    if (!request) ctx.print('=');
    const value = parse(ctx, np, length);
    if (value === null) return;
    if (request) {
      if (value.elem.type !== Type.Null) {
        ctx.print('[objVal!=NULL]');
        if (!print(ctx, value.elem)) return;
      }
    } else if (value.elem.type !== Type.Null && !print(ctx, value.elem)) return;
    length = vbLength;
    np = vbEnd;
  }
}

function scopedPduPrint(ctx: PrintContext, np: number, length: number): void {
  const seq = expect(ctx, np, length, Type.Seq, '[!scoped PDU]');
  if (seq === null) return;
  length = seq.elem.asnlen;
  np = seq.elem.data;
  const engine = expect(ctx, np, length, Type.Str, '[contextEngineID!=STR]');
  if (engine === null) return;
  length -= engine.count;
  np += engine.count;
  ctx.print('E=');
  if (!printOctets(ctx, engine.elem)) return;
  ctx.print(' ');
  const name = expect(ctx, np, length, Type.Str, '[contextName!=STR]');
  if (name === null) return;
  length -= name.count;
  np += name.count;
  ctx.print('C=');
  if (!printString(ctx, name.elem)) return;
  ctx.print(' ');
  pduPrint(ctx, np, length, 3);
}

function usmPrint(ctx: PrintContext, np: number, length: number): void {
  const verbose = ctx.flags.verbose > 0;
  const seq = expect(ctx, np, length, Type.Seq, '[!usm]');
  if (seq === null) return;
  length = seq.elem.asnlen;
  np = seq.elem.data;
  const steps: Array<[Type, string, ((e: Element) => boolean) | null]> = [
    [Type.Str, '[msgAuthoritativeEngineID!=STR]', null],
    [Type.Int, '[msgAuthoritativeEngineBoots!=INT]', (e) => {
      if (verbose) ctx.print(`B=${e.integer} `);
      return true;
    }],
    [Type.Int, '[msgAuthoritativeEngineTime!=INT]', (e) => {
      if (verbose) ctx.print(`T=${e.integer} `);
      return true;
    }],
    [Type.Str, '[msgUserName!=STR]', (e) => {
      ctx.print('U=');
      if (!printString(ctx, e)) return false;
      ctx.print(' ');
      return true;
    }],
    [Type.Str, '[msgAuthenticationParameters!=STR]', null],
    [Type.Str, '[msgPrivacyParameters!=STR]', null],
  ];
  let count = 0;
  for (const [type, message, then] of steps) {
    const r = expect(ctx, np, length, type, message);
    if (r === null) return;
    if (then && !then(r.elem)) return;
    length -= r.count;
    np += r.count;
    count = r.count;
  }
  if (count < length) ctx.print(`[${length - count} extra after usm SEQ]`);
}

function v3MessagePrint(ctx: PrintContext, np: number, length: number): void {
  const verbose = ctx.flags.verbose > 0;
  const xnp = np;
  const xlength = length;
  const seq = expect(ctx, np, length, Type.Seq, '[!message]');
  if (seq === null) return;
  length = seq.elem.asnlen;
  np = seq.elem.data;
  if (verbose) ctx.print('{ ');
  const id = expect(ctx, np, length, Type.Int, '[msgID!=INT]');
  if (id === null) return;
  length -= id.count;
  np += id.count;
  const max = expect(ctx, np, length, Type.Int, '[msgMaxSize!=INT]');
  if (max === null) return;
  length -= max.count;
  np += max.count;
  const fl = expect(ctx, np, length, Type.Str, '[msgFlags!=STR]');
  if (fl === null) return;
  if (fl.elem.asnlen !== 1) {
    ctx.print(`[msgFlags size ${fl.elem.asnlen}]`);
    return;
  }
  const flags = ctx.u8(fl.elem.data);
  if (![0, 1, 3, 4, 5, 7].includes(flags)) {
    ctx.print(`[msgFlags=0x${hex2(flags).toUpperCase()}]`);
    return;
  }
  length -= fl.count;
  np += fl.count;
  ctx.print(`F=${flags & 1 ? 'a' : ''}${flags & 2 ? 'p' : ''}${flags & 4 ? 'r' : ''} `);
  const sm = expect(ctx, np, length, Type.Int, '[msgSecurityModel!=INT]');
  if (sm === null) return;
  const model = sm.elem.integer;
  length -= sm.count;
  np += sm.count;
  if (sm.count < length) ctx.print(`[${length - sm.count} extra after message SEQ]`);
  if (verbose) ctx.print('} ');
  if (model === 3) {
    if (verbose) ctx.print('{ USM ');
  } else {
    ctx.print(`[security model ${model}]`);
    return;
  }
  // As tcpdump: the security parameters are read after the header data, within the whole message.
  length = xlength - (np - xnp);
  const params = expect(ctx, np, length, Type.Str, '[msgSecurityParameters!=STR]');
  if (params === null) return;
  length -= params.count;
  np += params.count;
  usmPrint(ctx, params.elem.data, params.elem.asnlen);
  if (verbose) ctx.print('} ');
  if (verbose) ctx.print('{ ScopedPDU ');
  scopedPduPrint(ctx, np, length);
  if (verbose) ctx.print('} ');
}


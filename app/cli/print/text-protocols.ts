/**
 * Line-oriented protocols tcpdump summarises by their first text line (util-print.c's
 * txtproto_print, print-http.c, print-ssh.c): `HTTP: GET / HTTP/1.1`, `SSH: SSH-2.0-OpenSSH_9.2`.
 */
import { PrintContext } from './context';

const HTTP_METHODS = new Set([
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE',
  'LABEL', 'MERGE', 'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT',
  'OPTIONS', 'CHECKIN', 'PROPFIND', 'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND',
  'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UNSUBSCRIBE', 'RPC_CONNECT',
  'VERSION-CONTROL', 'BASELINE-CONTROL',
]);

const MAX_TOKEN = 128;
const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

const NO_TOKEN: { next: number; token: string } = Object.freeze({ next: 0, token: '' });

/** fetch_token: the token at idx and the index after the white space following it (0: none). */
function fetchToken(ctx: PrintContext, p: number, idx: number, len: number): { next: number; token: string } {
  const first = idx;
  for (; idx < len; idx++) {
    if (!ctx.has(p + idx, 1)) return NO_TOKEN;
    const c = ctx.u8(p + idx);
    if (c >= 0x80) return NO_TOKEN;
    if (isSpace(c)) break;
    if (!isPrint(c)) return NO_TOKEN;
    if (idx - first + 2 > MAX_TOKEN + 1) return NO_TOKEN;
  }
  if (idx === first) return NO_TOKEN;
  // Printable ASCII only: one latin1 slice instead of a string grown byte by byte.
  const token = ctx.data.toString('latin1', p + first, p + idx);
  for (; idx < len; idx++) {
    if (!ctx.has(p + idx, 1)) break;
    const c = ctx.u8(p + idx);
    if (c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) break;
    if (!isSpace(c)) break;
  }
  return { next: idx, token };
}

/** print_txt_line: prints one line after `prefix`; returns the index after it, 0 when it stops. */
function printTextLine(ctx: PrintContext, prefix: string, p: number, idx: number, len: number): number {
  const start = idx;
  while (idx < len) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a) {
      ctx.print(prefix + ctx.data.toString('latin1', p + start, p + idx));
      return idx + 1;
    }
    if (c === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (ctx.u8(p + idx + 1) === 0x0a) {
        ctx.print(prefix + ctx.data.toString('latin1', p + start, p + idx));
        return idx + 2;
      }
      return 0;
    }
    if (!isPrint(c) && c !== 0x09) return 0;
    idx++;
  }
  ctx.print(prefix + ctx.data.toString('latin1', p + start, p + idx));
  ctx.printTrunc();
  return 0;
}

const SIP_METHODS = new Set([
  'ACK', 'BYE', 'CANCEL', 'DO', 'INFO', 'INVITE', 'MESSAGE', 'NOTIFY', 'OPTIONS', 'PRACK', 'QAUTH',
  'REFER', 'REGISTER', 'SPRACK', 'SUBSCRIBE', 'UPDATE', 'PUBLISH',
]);

export function httpPrint(ctx: PrintContext, p: number, len: number): void {
  requestResponsePrint(ctx, 'http', HTTP_METHODS, p, len);
}

/** print-sip.c (UDP 5060): `SIP: INVITE sip:bob@example.com SIP/2.0`, as HTTP's. */
export function sipPrint(ctx: PrintContext, p: number, len: number): void {
  requestResponsePrint(ctx, 'sip', SIP_METHODS, p, len);
}

/**
 * txtproto_print with request names and RESP_CODE_SECOND_TOKEN: the first line is printed when
 * the payload starts with one of the methods or its second token is a three-digit status code.
 */
function requestResponsePrint(ctx: PrintContext, protocol: string, methods: ReadonlySet<string>, p: number, len: number): void {
  ctx.protocol = protocol;
  let printThis = false;
  let { next, token } = fetchToken(ctx, p, 0, len);
  if (next !== 0) {
    if (methods.has(token.toUpperCase())) printThis = true;
    ({ next, token } = fetchToken(ctx, p, next, len));
    if (next !== 0 && /^[0-9]{3}$/.test(token)) printThis = true;
  }
  ctx.print(protocol.toUpperCase());
  if (!printThis) return;
  if (ctx.flags.verbose > 0) {
    ctx.print(`, length: ${len}`);
    for (let idx = 0; idx < len; ) {
      const eol = printTextLine(ctx, '\n\t', p, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else {
    printTextLine(ctx, ': ', p, 0, len);
  }
}

/**
 * txtproto_print without request names (SMTP, FTP, WHOIS): every payload is a request or a
 * response, `SMTP: 220 mail.example ESMTP` (all its text lines with -v).
 */
export function textLinesPrint(ctx: PrintContext, protocol: 'smtp' | 'ftp' | 'whois', p: number, len: number): void {
  ctx.protocol = protocol;
  ctx.print(protocol.toUpperCase());
  if (ctx.flags.verbose > 0) {
    ctx.print(`, length: ${len}`);
    for (let idx = 0; idx < len; ) {
      const eol = printTextLine(ctx, '\n\t', p, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else printTextLine(ctx, ': ', p, 0, len);
}

/** The SSH version banner, when the segment starts with one. */
export function sshPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'ssh';
  const magic = 'SSH-';
  for (let i = 0; i < 4; i++) if (ctx.u8(p + i) !== magic.charCodeAt(i)) return;
  for (let idx = 4; idx < len; idx++) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a || (c === 0x0d && idx + 1 < len && ctx.u8(p + idx + 1) === 0x0a)) {
      ctx.print(`: SSH: ${ctx.data.toString('latin1', p, p + idx)}`);
      return;
    }
    if (c === 0x0d || !isPrint(c)) return;
  }
}

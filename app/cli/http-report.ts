/**
 * `sievecap -r FILE --http [--json]`: the HTTP/1.x transactions of a capture file, one line each,
 * or (with --json) an array of objects whose keys scripts depend on:
 * method, host, uri, status, contentType, requestBodyBytes, responseBodyBytes, timeToFirstByteMs, stream.
 */
import { analyzeHttpCapture, headerValue, timeToFirstByteMs, totalTimeMs, transactionHost, type HttpTransaction } from '../reassembly';
import type { CliOptions } from './args';
import type { CliIo } from './io';

export interface HttpTransactionJson {
  method: string | null;
  host: string | null;
  /** The request target exactly as sent. */
  uri: string | null;
  status: number | null;
  contentType: string | null;
  requestBodyBytes: number | null;
  responseBodyBytes: number | null;
  timeToFirstByteMs: number | null;
  stream: number;
}

export function transactionJson(t: HttpTransaction): HttpTransactionJson {
  const ttfb = timeToFirstByteMs(t);
  return {
    method: t.request?.method ?? null,
    host: transactionHost(t),
    uri: t.request?.target ?? null,
    status: t.response?.status ?? null,
    contentType: t.response ? headerValue(t.response, 'content-type') : null,
    requestBodyBytes: t.request?.bodyBytes ?? null,
    responseBodyBytes: t.response?.bodyBytes ?? null,
    timeToFirstByteMs: ttfb === null ? null : Math.round(ttfb * 1000) / 1000,
    stream: t.stream,
  };
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(3)}ms`;
}

/** One line: stream, method, host+URI, status, content type, body sizes, TTFB and total time. */
export function transactionLine(t: HttpTransaction): string {
  const j = transactionJson(t);
  const status = j.status === null ? 'no response' : String(j.status);
  const incomplete = (t.request && !t.request.complete) || (t.response && !t.response.complete) ? ' [incomplete]' : '';
  return [
    `${j.stream}`.padStart(5),
    (j.method ?? '?').padEnd(7),
    `${j.host ?? ''}${j.uri ?? '?'}`,
    status,
    j.contentType ?? '-',
    `req=${j.requestBodyBytes ?? '-'}B resp=${j.responseBodyBytes ?? '-'}B`,
    `ttfb=${ms(j.timeToFirstByteMs)} total=${ms(totalTimeMs(t))}${incomplete}`,
  ].join('  ');
}

export function runHttpReport(opts: CliOptions, io: CliIo): number {
  if (opts.displayFilter !== undefined) {
    io.error('sievecap: -Y does not apply to --http yet: list all transactions and filter the JSON (--http --json)');
    return 2;
  }
  const analysis = analyzeHttpCapture(opts.readFile!, { keepBodies: false });
  if (opts.json) {
    io.out(`${JSON.stringify(analysis.transactions.map(transactionJson), null, 2)}\n`);
  } else {
    for (const t of analysis.transactions) io.out(`${transactionLine(t)}\n`);
    io.error(`${analysis.transactions.length} HTTP transactions in ${analysis.frames} frames`);
  }
  for (const hit of analysis.limitHits) {
    io.error(`sievecap: reassembly memory bound (${hit.kind}) hit in tcp.stream ${hit.stream} at frame ${hit.frame}: ${hit.skippedBytes} bytes skipped`);
  }
  if (analysis.readError) {
    io.error(`sievecap: ${analysis.readError}`);
    return 1;
  }
  return 0;
}

/** The HTTP tab's table columns (as data) and how a body is previewed. */
import type { HttpTransactionRow } from '../../../app/rpc/engine-protocol';
import type { Column } from '../components/table';
import { base64ToBytes, hexDump } from './bytes';
import { decodeText, imageType, parseMediaType, prettyJson, previewKind, type PreviewKind } from './body-preview';
import { formatBytes, formatCount } from '../lib/format';

export const HTTP_COLUMNS: readonly Column<HttpTransactionRow>[] = [
  { id: 'requestFrame', title: 'No.', width: 70, align: 'right', value: (t) => t.requestFrame },
  { id: 'method', title: 'Method', width: 80, value: (t) => t.method },
  { id: 'host', title: 'Host', width: 'minmax(8rem, 1fr)', value: (t) => t.host },
  { id: 'path', title: 'Path', width: 'minmax(10rem, 2.5fr)', value: (t) => t.path },
  {
    id: 'status',
    title: 'Status',
    width: 150,
    value: (t) => t.status,
    format: (t) => (t.status === null ? '' : `${t.status} ${t.reason}`.trim()),
  },
  { id: 'contentType', title: 'Content type', width: 'minmax(8rem, 1fr)', value: (t) => t.contentType },
  { id: 'requestBytes', title: 'Request size', width: 115, align: 'right', value: (t) => t.requestBytes, format: (t) => formatBytes(t.requestBytes), tooltip: (t) => `${formatCount(t.requestBytes)} bytes` },
  { id: 'responseBytes', title: 'Response size', width: 125, align: 'right', value: (t) => t.responseBytes, format: (t) => formatBytes(t.responseBytes), tooltip: (t) => `${formatCount(t.responseBytes)} bytes` },
  { id: 'seconds', title: 'Time (s)', width: 90, align: 'right', value: (t) => t.seconds, format: (t) => (t.seconds === null ? '' : t.seconds.toFixed(6)) },
];

export interface BodyPreviewData {
  data: string;
  size: number;
  truncated: boolean;
  problem: string | null;
}

export interface BodyView {
  kind: PreviewKind;
  /** What to show: the text, the pretty JSON, or the hex dump ('' for images and empty bodies). */
  text: string;
  /** The body's bytes (an image's blob). */
  bytes: Uint8Array;
  /** The blob's type, for an image. */
  mime: string;
  /** Notes under the preview: cut short, a decoding problem. */
  notes: string[];
}

/** Largest hex dump shown (a 1 MiB binary body is 4.5 MB of dump text; 64 KiB of it says enough). */
export const MAX_HEX_PREVIEW = 64 * 1024;

export function bodyView(body: BodyPreviewData, contentType: string | null): BodyView {
  const bytes = base64ToBytes(body.data);
  const notes: string[] = [];
  if (body.truncated) notes.push(`Only the first ${formatCount(bytes.length)} of ${formatCount(body.size)} bytes were kept: the preview is cut short.`);
  if (body.problem) notes.push(body.problem);
  let kind = previewKind(contentType, bytes);
  let text = '';
  if (kind === 'json') {
    const raw = decodeText(bytes, parseMediaType(contentType).charset);
    const pretty = prettyJson(raw);
    if (pretty === null) {
      kind = 'text';
      text = raw;
      if (!body.truncated) notes.push('The body is declared as JSON but does not parse: shown as text.');
    } else text = pretty;
  } else if (kind === 'text') {
    text = decodeText(bytes, parseMediaType(contentType).charset);
  } else if (kind === 'binary') {
    text = hexDump(bytes.subarray(0, MAX_HEX_PREVIEW));
    if (bytes.length > MAX_HEX_PREVIEW) notes.push(`The hex dump shows the first ${formatCount(MAX_HEX_PREVIEW)} of ${formatCount(bytes.length)} bytes.`);
  }
  return { kind, text, bytes, mime: kind === 'image' ? imageType(contentType, bytes) : '', notes };
}

/**
 * Where to re-read transactions from when the capture grew: the first one still waiting for its
 * response (it may have one now), but no further back than the last `window` rows (a request never
 * answered must not make every refresh read the whole list).
 */
export function refreshStart(rows: readonly HttpTransactionRow[], window = 1000): number {
  const floor = Math.max(0, rows.length - window);
  for (let i = floor; i < rows.length; i++) if (rows[i]!.responseFrame === null) return i;
  return rows.length;
}

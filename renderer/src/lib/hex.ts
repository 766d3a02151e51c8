/**
 * The packet bytes pane: 16 bytes a line (offset, hex, ASCII) as Wireshark shows them, the
 * packet's fields flattened into a tree with ids, and the deepest field covering a byte (a click
 * on a byte selects it in the tree). Pure functions.
 */
import type { PacketField, PacketLayer } from '../../../app/rpc/engine-protocol';

export const BYTES_PER_LINE = 16;

/** Decodes base64 (as the engine sends bytes) without Node's Buffer. */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** A byte as the ASCII column shows it (printable ASCII, else a dot). */
export function asciiChar(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** The offset column's text: 4 hex digits, more for long frames. */
export function offsetText(offset: number, size: number): string {
  return offset.toString(16).padStart(size > 0xffff ? 8 : 4, '0');
}

const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * One line of the bytes pane as HTML: a span per byte (class `b` in hex, `a` in ASCII; `gap`
 * before the ninth byte; `hl` inside `highlight`), each a button carrying its offset in data-i
 * for the table's click handler. A string per line instead of a component per byte: selecting
 * packet after packet redraws a thousand bytes in a fraction of a millisecond.
 */
export function lineHtml(bytes: Uint8Array, start: number, highlight: { start: number; end: number } | null, column: 'hex' | 'ascii'): string {
  const end = Math.min(bytes.length, start + BYTES_PER_LINE);
  const cls = column === 'hex' ? 'b' : 'a';
  let html = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    const text = column === 'hex' ? hexByte(b) : asciiChar(b);
    const hl = highlight !== null && i >= highlight.start && i < highlight.end;
    html += `<span class="${cls}${i - start === 8 ? ' gap' : ''}${hl ? ' hl' : ''}" data-i="${i}" role="button" tabindex="-1">${ESCAPED[text] ?? text}</span>`;
  }
  return html;
}

export function lineCount(size: number): number {
  return Math.ceil(size / BYTES_PER_LINE);
}

/** One node of the details tree: a layer (protocol) or a field under it. */
export interface TreeNode {
  /** 'L2' for layer 2, 'L2.0.3' for a field: unique within a packet. */
  id: string;
  parent: string | null;
  depth: number;
  label: string;
  /** Byte range to highlight (length 0: none). */
  offset: number;
  length: number;
  /** The field's range is in reassembled data, not in this frame's bytes. */
  reassembled: boolean;
  abbrev: string;
  status: 'ok' | 'truncated' | 'malformed';
  problem: string | null;
  /** The field itself (null for a layer). */
  field: PacketField | null;
  children: string[];
}

/** Every node of a packet's layers and fields (hidden fields left out), keyed by id, in tree order. */
export function buildTree(layers: readonly PacketLayer[]): Map<string, TreeNode> {
  const nodes = new Map<string, TreeNode>();
  const addFields = (fields: readonly PacketField[], parent: TreeNode): void => {
    fields.forEach((field, k) => {
      if (field.hidden) return;
      const node: TreeNode = {
        id: `${parent.id}.${k}`,
        parent: parent.id,
        depth: parent.depth + 1,
        label: field.label || (field.abbrev ? `${field.abbrev}: ${field.text}` : field.text),
        offset: field.offset,
        length: field.length,
        reassembled: field.reassembled === true || parent.reassembled,
        abbrev: field.abbrev,
        status: 'ok',
        problem: null,
        field,
        children: [],
      };
      nodes.set(node.id, node);
      parent.children.push(node.id);
      if (field.children?.length) addFields(field.children, node);
    });
  };
  layers.forEach((layer, i) => {
    const node: TreeNode = {
      id: `L${i}`,
      parent: null,
      depth: 0,
      label: layer.title,
      offset: layer.offset,
      length: layer.length,
      reassembled: false,
      // A protocol or a field name; a text item at the top (ARP's duplicate address report, named
      // by its text as tshark's JSON names it) has none, so nothing offers it as a filter.
      abbrev: /^[a-z][a-z0-9_.-]*$/i.test(layer.protocol) ? layer.protocol : '',
      status: layer.status,
      problem: layer.problem,
      field: null,
      children: [],
    };
    nodes.set(node.id, node);
    addFields(layer.fields, node);
  });
  return nodes;
}

/** The nodes shown when `expanded` ids are open: roots, and the children of open nodes, in order. */
export function visibleNodes(nodes: ReadonlyMap<string, TreeNode>, expanded: ReadonlySet<string>): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (node: TreeNode): void => {
    out.push(node);
    if (expanded.has(node.id)) for (const c of node.children) walk(nodes.get(c)!);
  };
  for (const node of nodes.values()) if (node.parent === null) walk(node);
  return out;
}

/** The deepest node whose byte range covers `offset` (ranges in reassembled data do not count). */
export function nodeAtByte(nodes: ReadonlyMap<string, TreeNode>, offset: number): TreeNode | null {
  let best: TreeNode | null = null;
  for (const node of nodes.values()) {
    if (node.reassembled || node.length <= 0) continue;
    if (offset < node.offset || offset >= node.offset + node.length) continue;
    // Deeper wins; at equal depth the narrower range (a later sibling covering the same byte is rare).
    if (!best || node.depth > best.depth || (node.depth === best.depth && node.length < best.length)) best = node;
  }
  return best;
}

/** Ids of a node's ancestors, root first (to open them so the node shows). */
export function ancestors(nodes: ReadonlyMap<string, TreeNode>, id: string): string[] {
  const out: string[] = [];
  let node = nodes.get(id);
  while (node?.parent) {
    out.unshift(node.parent);
    node = nodes.get(node.parent);
  }
  return out;
}

/** The byte range a node highlights in this frame, or null (none, or in reassembled data). */
export function highlightRange(node: TreeNode | null | undefined, size: number): { start: number; end: number } | null {
  if (!node || node.reassembled || node.length <= 0 || node.offset >= size) return null;
  return { start: node.offset, end: Math.min(size, node.offset + node.length) };
}

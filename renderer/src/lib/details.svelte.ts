/**
 * The selected packet's details tree and bytes: which nodes are open (kept from packet to packet
 * by field name, as Wireshark keeps a protocol's subtree open), which node is selected, and the
 * byte range it highlights. A click on a byte selects the deepest field covering it.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { PacketDetail } from '../../../app/rpc/engine-protocol';
import { ancestors, buildTree, decodeBase64, highlightRange, nodeAtByte, visibleNodes, type TreeNode } from './hex';
import { treeKey } from './tree-nav';

/** What keeps a node open across packets: its field name, or its label for text-only lines. */
const openKey = (node: TreeNode): string => `${node.depth}:${node.abbrev || node.label}`;

export class DetailsState {
  detail = $state.raw<PacketDetail | null>(null);
  selectedId = $state<string | null>(null);
  private readonly open = new SvelteSet<string>();

  readonly nodes = $derived(this.detail ? buildTree(this.detail.layers) : new Map<string, TreeNode>());
  readonly bytes = $derived(this.detail ? decodeBase64(this.detail.bytes) : new Uint8Array(0));
  readonly visible = $derived(visibleNodes(this.nodes, new Set([...this.nodes.values()].filter((n) => this.isOpen(n)).map((n) => n.id))));
  readonly selected = $derived(this.selectedId ? (this.nodes.get(this.selectedId) ?? null) : null);
  readonly highlight = $derived(highlightRange(this.selected, this.bytes.length));

  show(detail: PacketDetail | null): void {
    const keep = this.selected ? openKey(this.selected) : null;
    this.detail = detail;
    // The same field stays selected in the next packet when it has it.
    this.selectedId = keep ? ([...this.nodes.values()].find((n) => openKey(n) === keep && this.isShown(n))?.id ?? null) : null;
  }

  isOpen(node: TreeNode): boolean {
    return node.children.length > 0 && this.open.has(openKey(node));
  }

  private isShown(node: TreeNode): boolean {
    return ancestors(this.nodes, node.id).every((id) => this.isOpen(this.nodes.get(id)!));
  }

  toggle(id: string): void {
    const node = this.nodes.get(id);
    if (!node || node.children.length === 0) return;
    const key = openKey(node);
    if (this.open.has(key)) this.open.delete(key);
    else this.open.add(key);
  }

  setOpen(id: string, open: boolean): void {
    const node = this.nodes.get(id);
    if (!node) return;
    if (open) this.open.add(openKey(node));
    else this.open.delete(openKey(node));
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  /** Keyboard on the tree; true when the key was used. */
  key(key: string): boolean {
    const action = treeKey(key, this.visible, this.selectedId, (n) => this.isOpen(n));
    if (action.kind === 'none') return false;
    if (action.kind === 'select') this.selectedId = action.id;
    else this.setOpen(action.id, action.kind === 'expand');
    return true;
  }

  /** A click on byte `offset`: selects the deepest field covering it, opening its ancestors. */
  selectByte(offset: number): void {
    const node = nodeAtByte(this.nodes, offset);
    if (!node) return;
    for (const id of ancestors(this.nodes, node.id)) this.setOpen(id, true);
    this.selectedId = node.id;
  }
}

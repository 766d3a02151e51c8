/**
 * Keyboard moves in the packet details tree (WAI-ARIA tree pattern): Up/Down move, Right opens or
 * goes to the first child, Left closes or goes to the parent, Enter/Space toggle, Home/End. Pure:
 * returns what to do, the caller does it.
 */
import type { TreeNode } from './hex';

export type TreeAction =
  | { kind: 'select'; id: string }
  | { kind: 'expand'; id: string }
  | { kind: 'collapse'; id: string }
  | { kind: 'none' };

export function treeKey(key: string, visible: readonly TreeNode[], selected: string | null, expanded: (node: TreeNode) => boolean): TreeAction {
  if (visible.length === 0) return { kind: 'none' };
  const at = selected === null ? -1 : visible.findIndex((n) => n.id === selected);
  if (at < 0) return key === 'End' ? { kind: 'select', id: visible[visible.length - 1]!.id } : { kind: 'select', id: visible[0]!.id };
  const node = visible[at]!;
  switch (key) {
    case 'ArrowDown':
      return at + 1 < visible.length ? { kind: 'select', id: visible[at + 1]!.id } : { kind: 'none' };
    case 'ArrowUp':
      return at > 0 ? { kind: 'select', id: visible[at - 1]!.id } : { kind: 'none' };
    case 'Home':
      return { kind: 'select', id: visible[0]!.id };
    case 'End':
      return { kind: 'select', id: visible[visible.length - 1]!.id };
    case 'ArrowRight':
      if (node.children.length === 0) return { kind: 'none' };
      return expanded(node) ? { kind: 'select', id: node.children[0]! } : { kind: 'expand', id: node.id };
    case 'ArrowLeft':
      if (node.children.length > 0 && expanded(node)) return { kind: 'collapse', id: node.id };
      return node.parent ? { kind: 'select', id: node.parent } : { kind: 'none' };
    case 'Enter':
    case ' ':
      if (node.children.length === 0) return { kind: 'none' };
      return expanded(node) ? { kind: 'collapse', id: node.id } : { kind: 'expand', id: node.id };
    default:
      return { kind: 'none' };
  }
}

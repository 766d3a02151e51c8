import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import ContextMenu from './ContextMenu.svelte';

afterEach(cleanup);

describe('ContextMenu', () => {
  it('moves with the arrows, skips disabled items, chooses with a click and closes on Esc', async () => {
    const apply = vi.fn();
    const follow = vi.fn();
    const copy = vi.fn();
    const onClose = vi.fn();
    const { getByRole, getAllByRole } = render(ContextMenu, {
      props: {
        x: 10,
        y: 10,
        label: 'Row actions',
        onClose,
        items: [
          { label: 'Apply as filter', action: apply },
          { label: 'Follow stream', action: follow, disabled: true },
          { label: 'Copy', action: copy },
        ],
      },
    });
    await tick();
    await tick();
    const menu = getByRole('menu', { name: 'Row actions' });
    const items = getAllByRole('menuitem') as HTMLButtonElement[];
    expect(document.activeElement).toBe(items[0]);
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[2]);
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[0]);
    await fireEvent.click(items[2]!);
    expect(copy).toHaveBeenCalled();
    expect(onClose).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(menu, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(follow).not.toHaveBeenCalled();
    expect(apply).not.toHaveBeenCalled();
  });
});

/** Turns menuTemplate()'s plain data into Electron's menu: each item's `run` becomes its click. */
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuItemSpec, MenuRun } from './menu-template';

export function buildMenu(template: readonly MenuItemSpec[], run: (what: MenuRun) => void): Menu {
  const convert = (item: MenuItemSpec): MenuItemConstructorOptions => {
    if ('type' in item && item.type === 'separator') return { type: 'separator' };
    if ('role' in item) return { role: item.role };
    if ('submenu' in item) return { label: item.label, submenu: item.submenu.map(convert), ...(item.enabled === undefined ? {} : { enabled: item.enabled }) };
    const { run: what, ...options } = item;
    return { ...options, click: () => run(what) };
  };
  return Menu.buildFromTemplate(template.map(convert));
}

/**
 * What the desktop app remembers between runs: Open Recent, the theme chosen (View > Dark
 * Theme) and the last window's place and size (window-state.ts). Stored as JSON in Electron's userData folder by main; read back through a schema, so a
 * damaged or older file gives the defaults instead of an error. Pure code, tested under Node.
 */
import * as v from 'valibot';
import { FilePath } from '../rpc/engine-protocol';
import { MAX_RECENT_FILES, type ThemeSource } from './menu-template';
import { parseWindowState, type WindowState } from './window-state';

const SettingsSchema = v.object({
  recentFiles: v.optional(v.array(v.unknown()), []),
  theme: v.optional(v.picklist(['system', 'light', 'dark']), 'system'),
  // Checked on its own (window-state.ts): a damaged one is dropped, the rest kept.
  window: v.optional(v.unknown()),
});

export interface Settings {
  recentFiles: string[];
  theme: ThemeSource;
  /** The last closed window's bounds and maximized state; null: none yet. */
  window: WindowState | null;
}

export const DEFAULT_SETTINGS: Settings = { recentFiles: [], theme: 'system', window: null };

/** The settings in a file's text; defaults for what is missing, damaged or unknown. */
export function parseSettings(text: string | null): Settings {
  if (text === null) return { ...DEFAULT_SETTINGS, recentFiles: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ...DEFAULT_SETTINGS, recentFiles: [] };
  }
  const parsed = v.safeParse(SettingsSchema, data);
  if (!parsed.success) return { ...DEFAULT_SETTINGS, recentFiles: [] };
  const recentFiles = parsed.output.recentFiles.filter((f): f is string => v.is(FilePath, f) && f.startsWith('/'));
  return { recentFiles: [...new Set(recentFiles)].slice(0, MAX_RECENT_FILES), theme: parsed.output.theme, window: parseWindowState(parsed.output.window) };
}

export function serializeSettings(settings: Settings): string {
  return `${JSON.stringify({ recentFiles: settings.recentFiles, theme: settings.theme, ...(settings.window ? { window: settings.window } : {}) }, null, 2)}\n`;
}

/** Open Recent after opening or saving `file`: it comes first, once, and the list keeps MAX_RECENT_FILES. */
export function addRecentFile(list: readonly string[], file: string): string[] {
  return [file, ...list.filter((f) => f !== file)].slice(0, MAX_RECENT_FILES);
}

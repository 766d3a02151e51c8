/**
 * The theme's text colours against the backgrounds they are drawn on, in both themes: WCAG AA
 * (4.5:1 for text) for the buttons, links, badges, banners and messages of the window.
 */
import { beforeAll, describe, expect, it } from 'vitest';

// Read as text (vitest stubs CSS imports, ?raw included); node:fs without Node's types, as rpc.test.ts.
const load = <T>(specifier: string): Promise<T> => import(/* @vite-ignore */ specifier) as Promise<T>;
let colours = new Map<string, [string, string]>();
beforeAll(async () => {
  const fs = await load<{ readFileSync(path: string, encoding: 'utf8'): string }>('node:fs');
  colours = themeColours(fs.readFileSync(decodeURIComponent(import.meta.url.replace(/^file:\/\//, '').replace(/[^/]*$/, 'theme.css')), 'utf8'));
});

/** `--name: light-dark(#light, #dark)` or `--name: #both` → [light, dark]. */
function themeColours(text: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  const root = text.slice(text.indexOf(':root {'), text.indexOf('}', text.indexOf(':root {')));
  for (const m of root.matchAll(/(--[\w-]+):\s*([^;]+);/g)) {
    const value = m[2]!.trim();
    const pair = /^light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)$/i.exec(value);
    if (pair) out.set(m[1]!, [pair[1]!, pair[2]!]);
    else if (/^#[0-9a-f]{6}$/i.test(value)) out.set(m[1]!, [value, value]);
  }
  return out;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** [text, background] as the components draw them (theme.css and the components' styles). */
const PAIRS: [string, string][] = [
  ['--fg', '--bg'], ['--fg', '--bg-alt'], ['--fg', '--bg-chrome'], ['--fg', '--bg-input'],
  ['--fg-muted', '--bg'], ['--fg-muted', '--bg-alt'], ['--fg-muted', '--bg-chrome'],
  ['--accent', '--bg'], ['--accent', '--bg-alt'], // links, header names, file names
  ['--accent-fg', '--accent'], // primary buttons
  ['--selection-fg', '--selection-bg'], // selected rows, open menus
  ['--error-fg', '--bg'], ['--error-fg', '--bg-alt'], ['--error-fg', '--bg-chrome'], // Stop, messages
  ['--error-fg', '--bad-bg'], ['--fg', '--warn-bg'], // Malformed / Truncated badges
  ['--fg', '--ok-bg'], ['--fg', '--bad-bg'], // the filter bar's valid/invalid input
  ['--start-fg', '--bg-alt'], ['--start-fg', '--bg-chrome'], // the tool bar's Start
  ['--highlight-fg', '--highlight-bg'],
  ['--fg', '--banner-error-bg'], ['--fg', '--banner-warning-bg'], ['--fg', '--banner-info-bg'],
  ['--banner-icon-fg', '--banner-error-border'], ['--banner-icon-fg', '--banner-info-border'],
];

describe('theme contrast', () => {
  it('reads the colours', () => {
    expect(colours.get('--bg')).toEqual(['#ffffff', '#1e1f22']);
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  });
  for (const [theme, i] of [['light', 0], ['dark', 1]] as const) {
    it(`${theme}: every text colour is at least 4.5:1 on its background`, () => {
      const low: string[] = [];
      for (const [fg, bg] of PAIRS) {
        const a = colours.get(fg)?.[i];
        const b = colours.get(bg)?.[i];
        expect(a, fg).toBeDefined();
        expect(b, bg).toBeDefined();
        const c = contrast(a!, b!);
        if (c < 4.5) low.push(`${fg} ${a} on ${bg} ${b}: ${c.toFixed(2)}`);
      }
      expect(low).toEqual([]);
    });
    it(`${theme}: every chart series is at least 3:1 on the background (WCAG's non-text contrast)`, () => {
      const names = [...colours.keys()].filter((n) => n.startsWith('--graph-'));
      expect(names.length).toBeGreaterThanOrEqual(6);
      const low = names.filter((n) => contrast(colours.get(n)![i], colours.get('--bg')![i]) < 3);
      expect(low).toEqual([]);
    });
  }
});

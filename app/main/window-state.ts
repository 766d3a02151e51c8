/**
 * The window's place and size remembered between runs (Wireshark keeps them in its `recent` file):
 * the bounds of its last closed window, whether it was maximized, and where the next window goes.
 * Pure code, tested under Node; document-window.ts reads a BrowserWindow's bounds into it and main
 * stores it with the other settings (settings.ts).
 */
import * as v from 'valibot';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What is kept: the window's normal (not maximized) bounds, and whether it was maximized. */
export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

/** The window's least size (BrowserWindow's minWidth/minHeight) and its size the first time. */
export const MIN_SIZE = { width: 640, height: 400 } as const;
export const DEFAULT_SIZE = { width: 1280, height: 800 } as const;
/** How far each further window is moved down and right from the last one's place. */
export const CASCADE_STEP = 24;

const Integer = v.pipe(v.number(), v.integer(), v.minValue(-100_000), v.maxValue(100_000));
export const WindowStateSchema = v.strictObject({
  bounds: v.strictObject({ x: Integer, y: Integer, width: v.pipe(Integer, v.minValue(1)), height: v.pipe(Integer, v.minValue(1)) }),
  maximized: v.boolean(),
});

/** A stored window state, or null when it is missing or damaged. */
export function parseWindowState(data: unknown): WindowState | null {
  const parsed = v.safeParse(WindowStateSchema, data);
  return parsed.success ? { bounds: { ...parsed.output.bounds }, maximized: parsed.output.maximized } : null;
}

/** What a window shows now: its normal bounds (BrowserWindow.getNormalBounds, whole pixels) and whether it is maximized. */
export function windowStateOf(normalBounds: Rectangle, maximized: boolean): WindowState {
  const r = (n: number): number => Math.round(n);
  return { bounds: { x: r(normalBounds.x), y: r(normalBounds.y), width: r(normalBounds.width), height: r(normalBounds.height) }, maximized };
}

/** Where a window opens: its size, its place unless the system chooses, and whether it is maximized. */
export interface WindowPlace {
  bounds: Partial<Rectangle> & { width: number; height: number };
  maximized: boolean;
}

function overlap(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where a new window goes: the saved bounds, moved `cascade` steps down and right (the windows
 * already open), and made to fit the display it is mostly on (screen.getAllDisplays' work areas):
 * no larger than it, and wholly on it. Bounds on no display any more (a monitor unplugged) keep
 * their size but lose their place (the system's choice, as at first start). Without a saved state:
 * the default size, placed by the system.
 */
export function initialWindowState(saved: WindowState | null, workAreas: readonly Rectangle[], cascade = 0): WindowPlace {
  if (!saved) return { bounds: { ...DEFAULT_SIZE }, maximized: false };
  const step = CASCADE_STEP * cascade;
  const wanted: Rectangle = { ...saved.bounds, x: saved.bounds.x + step, y: saved.bounds.y + step };
  let best: Rectangle | null = null;
  let bestOverlap = 0;
  for (const area of workAreas) {
    const o = overlap(wanted, area);
    if (o > bestOverlap) {
      best = area;
      bestOverlap = o;
    }
  }
  const width = Math.max(MIN_SIZE.width, wanted.width);
  const height = Math.max(MIN_SIZE.height, wanted.height);
  if (!best) return { bounds: { width, height }, maximized: saved.maximized };
  const fitWidth = Math.min(width, Math.max(MIN_SIZE.width, best.width));
  const fitHeight = Math.min(height, Math.max(MIN_SIZE.height, best.height));
  const x = Math.max(best.x, Math.min(wanted.x, best.x + best.width - fitWidth));
  const y = Math.max(best.y, Math.min(wanted.y, best.y + best.height - fitHeight));
  return { bounds: { x, y, width: fitWidth, height: fitHeight }, maximized: saved.maximized };
}

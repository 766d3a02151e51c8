import { describe, expect, it } from 'vitest';
import { autoInterval, DEFAULT_GRAPHS, effectiveInterval, frameNear, fullRange, intervalAllowed, intervalLabel, ioStatRequest, panRange, parseIoStat, plotData, rowAt, zoomRange, type GraphSpec } from './io-graph';

const report = parseIoStat({
  interval: 0.5,
  duration: 1.8,
  columns: [
    { filter: null, frames: [3, 0, 2, 1], bytes: [300, 0, 200, 60], firstFrames: [1, 0, 4, 6] },
    { filter: 'tcp', frames: [1, 0, 0, 1], bytes: [100, 0, 0, 60], firstFrames: [2, 0, 0, 6] },
  ],
});

describe('I/O graph', () => {
  it('makes one io,stat column per distinct filter of the enabled graphs', () => {
    const graphs: GraphSpec[] = [
      { id: 1, name: 'All', filter: '', unit: 'packets', enabled: true },
      { id: 2, name: 'TCP', filter: ' tcp ', unit: 'packets', enabled: true },
      { id: 3, name: 'Bytes', filter: '', unit: 'bytes', enabled: true },
      { id: 4, name: 'Off', filter: 'udp', unit: 'packets', enabled: false },
    ];
    const { spec, columnOf } = ioStatRequest(0.01, graphs);
    expect(spec).toBe('io,stat,0.01,,tcp');
    expect([...columnOf]).toEqual([[1, 0], [2, 1], [3, 0]]);
    expect(ioStatRequest(1, DEFAULT_GRAPHS).spec).toBe('io,stat,1,,tcp.analysis.flags');
    expect(ioStatRequest(1, []).spec).toBe('io,stat,1,');
  });

  it('draws each enabled graph from its column, packets or bytes', () => {
    const graphs: GraphSpec[] = [
      { id: 1, name: 'All', filter: '', unit: 'packets', enabled: true },
      { id: 2, name: 'TCP bytes', filter: 'tcp', unit: 'bytes', enabled: true },
    ];
    const data = plotData(report, graphs, new Map([[1, 0], [2, 1]]));
    expect(data).toEqual([[0, 0.5, 1, 1.5], [3, 0, 2, 1], [100, 0, 0, 60]]);
  });

  it('a click goes to the first packet of its interval, else of the nearest interval that has one', () => {
    expect(rowAt(report, 1.2)).toBe(2);
    expect(rowAt(report, 99)).toBe(3);
    expect(rowAt(report, -1)).toBe(0);
    expect(frameNear(report, 0, 2)).toBe(4);
    expect(frameNear(report, 0, 1)).toBe(4);
    expect(frameNear(report, 1, 1)).toBe(2);
    expect(frameNear(report, 1, 2)).toBe(6);
    expect(frameNear(parseIoStat({ interval: 1, duration: 1, columns: [{ filter: 'x', frames: [0], bytes: [0], firstFrames: [0] }] }), 0, 0)).toBeNull();
  });

  it('picks an interval that shows the capture in at most a thousand points, and offers none that needs more than 100,000', () => {
    expect(autoInterval(2.5)).toBe(0.01);
    expect(autoInterval(0.5)).toBe(0.001);
    expect(autoInterval(3600)).toBe(10);
    expect(autoInterval(1e9)).toBe(3600);
    expect(intervalAllowed(0.001, 100)).toBe(true);
    expect(intervalAllowed(0.001, 101)).toBe(false);
    expect(effectiveInterval(0.001, 50)).toBe(0.001);
    expect(effectiveInterval(0.001, 500)).toBe(1);
    expect(effectiveInterval('auto', 500)).toBe(1);
    expect(intervalLabel(0.01)).toBe('10 ms');
    expect(intervalLabel(10)).toBe('10 s');
    expect(intervalLabel(600)).toBe('10 min');
  });

  it('zooms around the pointer and pans inside the capture, never narrower than an interval', () => {
    const all = fullRange(report);
    expect(all).toEqual({ min: 0, max: 2 });
    expect(zoomRange(all, 0.5, 1, all, 0.5)).toEqual({ min: 0.5, max: 1.5 });
    expect(zoomRange(all, 0.5, 0, all, 0.5)).toEqual({ min: 0, max: 1 });
    expect(zoomRange({ min: 0.5, max: 1.5 }, 0.01, 1, all, 0.5)).toEqual({ min: 0.75, max: 1.25 });
    expect(zoomRange({ min: 0.5, max: 1.5 }, 10, 1, all, 0.5)).toEqual(all);
    expect(panRange({ min: 0.5, max: 1.5 }, 1, all)).toEqual({ min: 1, max: 2 });
    expect(panRange({ min: 0.5, max: 1.5 }, -1, all)).toEqual({ min: 0, max: 1 });
  });
});

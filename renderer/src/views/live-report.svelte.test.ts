import { describe, expect, it } from 'vitest';
import type { EngineResult } from '../../../app/rpc/engine-protocol';
import { EngineError, FakeEngine } from './fake-engine';
import { LiveReport } from './live-report.svelte';
import { ReportReader } from './report-reader';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** An engine whose reports count how often they were read. */
function engine(): { fake: FakeEngine; reports: Map<number, { spec: string; reads: number }> } {
  const reports = new Map<number, { spec: string; reads: number }>();
  let next = 1;
  const fake = new FakeEngine({
    createReport: ({ spec }) => {
      reports.set(next, { spec, reads: 0 });
      return { report: next++, spec, framesFed: 10 };
    },
    readReport: ({ report }): EngineResult<'readReport'> => {
      const r = reports.get(report);
      if (!r) throw new EngineError('ENOREPORT', 'the session has no report with that id');
      r.reads++;
      return { report, spec: r.spec, framesFed: 10 * r.reads, final: false, text: null, data: { spec: r.spec, reads: r.reads } };
    },
    dropReport: ({ report }) => {
      reports.delete(report);
      return { report };
    },
  });
  return { fake, reports };
}

const parse = (data: unknown) => data as { spec: string; reads: number };

describe('LiveReport and ReportReader', () => {
  it('makes a report once per spec, reads it again, and keeps each spec’s data', async () => {
    const { fake } = engine();
    const r = new LiveReport(fake, () => 3, parse, 1000, new ReportReader(fake));
    await r.show('endpoints,ip');
    expect(r.data).toEqual({ spec: 'endpoints,ip', reads: 1 });
    expect(r.framesFed).toBe(10);
    await r.show('endpoints,tcp');
    await r.show('endpoints,ip');
    expect(r.data).toEqual({ spec: 'endpoints,ip', reads: 2 });
    expect(Object.keys(r.bySpec).sort()).toEqual(['endpoints,ip', 'endpoints,tcp']);
    expect(fake.callsOf('createReport')).toEqual([{ session: 3, spec: 'endpoints,ip' }, { session: 3, spec: 'endpoints,tcp' }]);
    expect(fake.callsOf('readReport').every((p) => (p as { format: string }).format === 'json')).toBe(true);
    r.dispose();
  });

  it('refreshes at most once per interval while frames arrive', async () => {
    const { fake } = engine();
    const r = new LiveReport(fake, () => 1, parse, 40, new ReportReader(fake));
    await r.show('io,phs');
    await new Promise((done) => setTimeout(done, 50));
    for (let i = 0; i < 10; i++) r.framesAppended();
    await tick();
    await tick();
    expect(fake.callsOf('readReport').length).toBe(2);
    await new Promise((done) => setTimeout(done, 80));
    expect(fake.callsOf('readReport').length).toBe(3);
    r.dispose();
    r.framesAppended();
    await new Promise((done) => setTimeout(done, 60));
    expect(fake.callsOf('readReport').length).toBe(3);
  });

  it('makes a report afresh when the engine no longer has it, and says what failed', async () => {
    const { fake, reports } = engine();
    const r = new LiveReport(fake, () => 1, parse, 1000, new ReportReader(fake));
    await r.show('io,phs');
    reports.clear();
    await r.load();
    expect(r.error).toBeNull();
    expect(fake.callsOf('createReport').length).toBe(2);
    fake.handlers.createReport = () => {
      throw new EngineError('ESPEC', "-z endpoints,ip,bad ==: the filter is not a valid display filter");
    };
    await r.show('endpoints,ip,bad ==');
    expect(r.error).toMatch(/not a valid display filter/);
    expect(r.loading).toBe(false);
    r.dispose();
  });

  it('keeps at most its limit of reports, dropping the least recently read, and forgets closed sessions', async () => {
    const { fake, reports } = engine();
    const reader = new ReportReader(fake, 2);
    await reader.read(1, 'a');
    await reader.read(1, 'b');
    await reader.read(1, 'a');
    await reader.read(1, 'c');
    await tick();
    expect(reader.kept).toEqual(['1 a', '1 c']);
    expect(fake.callsOf('dropReport')).toEqual([{ session: 1, report: 2 }]);
    expect([...reports.values()].map((r) => r.spec).sort()).toEqual(['a', 'c']);
    reader.sessionClosed(1);
    expect(reader.kept).toEqual([]);
  });

  it('shows only the latest spec’s answer when switching fast', async () => {
    const { fake } = engine();
    const slow = fake.handlers.readReport!;
    let release: () => void = () => undefined;
    fake.handlers.readReport = (p, o) => (p.report === 1 ? new Promise((resolve) => (release = () => resolve(slow(p, o) as EngineResult<'readReport'>))) : slow(p, o));
    const r = new LiveReport(fake, () => 1, parse, 1000, new ReportReader(fake));
    void r.show('endpoints,ip');
    await tick();
    await tick();
    const last = r.show('endpoints,udp');
    release();
    await last;
    expect(r.spec).toBe('endpoints,udp');
    expect(r.bySpec['endpoints,ip']).toBeUndefined();
    expect(r.data).toEqual({ spec: 'endpoints,udp', reads: 1 });
    r.dispose();
  });
});

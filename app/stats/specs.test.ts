import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatisticsSpecError } from './report';
import { createReportForSpec, STATISTIC_USAGES, STATISTICS, UnknownStatisticError } from './specs';

test('every statistic of the table makes its report from a spec it takes', () => {
  for (const spec of ['conv,tcp', 'endpoints,ip', 'io,phs', 'io,phs,tcp', 'io,stat,1', 'io,stat,0.1,,tcp,udp', 'follow,tcp,ascii,0', 'http,tree', 'http_req,tree']) {
    assert.equal(createReportForSpec(spec).spec, spec);
  }
  assert.equal(STATISTIC_USAGES, STATISTICS.map((s) => s.usage).join(', '));
});

test('an unknown spec is an UnknownStatisticError; a bad parameter the statistic\'s StatisticsSpecError', () => {
  for (const spec of ['nonsense', 'io,phsx', 'http,treex', 'conv']) {
    assert.throws(() => createReportForSpec(spec), (e: unknown) => e instanceof UnknownStatisticError && !(e instanceof StatisticsSpecError) && e.spec === spec);
  }
  assert.throws(() => createReportForSpec('conv,sctp'), (e: unknown) => e instanceof StatisticsSpecError);
  assert.throws(() => createReportForSpec('io,phs,tcp.port ==='), (e: unknown) => e instanceof StatisticsSpecError);
});

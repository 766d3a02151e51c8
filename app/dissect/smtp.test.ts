import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSmtpDissector } from './smtp';
import type { AppContext } from './model';

const client: AppContext = { transport: 'tcp', srcPort: 40000, dstPort: 25, frameNumber: 1, src: '10.0.0.2', dst: '10.0.0.1' };
const server: AppContext = { ...client, srcPort: 25, dstPort: 40000, src: '10.0.0.1', dst: '10.0.0.2' };

function run(fields?: ReadonlySet<string>): string[] {
  const smtp = createSmtpDissector();
  let frameNumber = 0;
  const say = (ctx: AppContext, text: string): string => {
    const bytes = Buffer.from(text, 'latin1');
    const r = smtp.dissect(bytes, 0, bytes.length, { ...ctx, frameNumber: ++frameNumber, fields });
    return `${r.layers.map((l) => l.protocol).join(':')} ${r.info}`;
  };
  return [
    say(server, '250-mail01\r\n250-PIPELINING\r\n250 DSN\r\n'),
    say(client, 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'),
    say(server, '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n'),
    say(client, 'Subject: hi\r\n\r\nbody\r\n'),
    say(client, '.\r\n'),
    say(client, 'QUIT\r\n'),
  ];
}

test('SMTP: replies line by line, pipelined commands, the DATA section, the message put together as IMF on its "." line, and back (tests/dissect-smtp-tshark.test.ts compares with tshark)', () => {
  const expected = [
    'smtp S: 250-mail01 | PIPELINING | DSN',
    'smtp C: MAIL FROM:<a@b> | RCPT TO:<c@d> | DATA',
    'smtp S: 250 2.1.0 Ok | 250 2.1.5 Ok | 354 End data with <CR><LF>.<CR><LF>',
    'smtp:data-text-lines C: DATA fragment, 21 bytes',
    'smtp:imf subject: hi, , body  ',
    'smtp C: QUIT',
  ];
  assert.deepEqual(run(), expected);
  // Building no field at all follows the session the same way.
  assert.deepEqual(run(new Set()), expected);
});

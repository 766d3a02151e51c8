/**
 * NetBIOS Datagram Service with SMB mailslot browser announcements (nbdgm, smb, mailslot, browser)
 * and TFTP with its transfer conversation: built frames, expected values as tshark 4.0 prints
 * them for the same frames, a malformed case each, and the same fields without a tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

/** Host Announcement ALICE (Windows 6.1, server type 0x00450a03, comment "Hello") from ALICE<20> to WORKGROUP<1d>. */
const HOST = 'ffffffffffff02005e1000010800450000ea000100004011e9a8c0a8070ac0a807ff008a008a00d60000110e1234c0a8070a008a00c00000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000026000000000000000000e803000000000000000026005600030001000100020037005c4d41494c534c4f545c42524f57534500010380fc0a00414c49434500000000000000000000000601030a45000f0155aa48656c6c6f00';
/** Browser Election Request: desire 0x25, OS 0x21, uptime 123456789 ms, server BOB. */
const ELECTION = 'ffffffffffff02005e1000010800450000d6000100004011e9bcc0a8070ac0a807ff008a008a00c20000110e1234c0a8070a008a00ac0000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000012000000000000000000e803000000000000000012005600030001000100020023005c4d41494c534c4f545c42524f575345000801250f012115cd5b0700000000424f4200';
/** Host Announcement whose comment has no terminating NUL before the datagram ends. */
const COMMENT_UNTERMINATED = 'ffffffffffff02005e1000010800450000e7000100004011e9abc0a8070ac0a807ff008a008a00d30000110e1234c0a8070a008a00bd0000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000023000000000000000000e803000000000000000023005600030001000100020034005c4d41494c534c4f545c42524f57534500010380fc0a00414c49434500000000000000000000000601030000000f0155aa616263';
/** A TFTP write request (client 10.1.1.1:1234 to 10.1.1.2:69) with blksize=16 and tsize=21 ... */
const WRQ = 'ffffffffffff02005e10000108004500003f00010000401164a90a0101010a01010204d20045002b0000000275702e62696e006f6374657400626c6b73697a65003136007473697a6500323100';
/** ... the server's OACK from its new port 5000 ... */
const OACK = 'ffffffffffff02005e10000108004500003200010000401164b60a0101020a010101138804d2001e00000006626c6b73697a65003136007473697a6500323100';
/** ... a full 16-byte block and a 5-byte last block between the two new ports. */
const DATA1 = 'ffffffffffff02005e10000108004500003000010000401164b80a0101010a01010204d21388001c00000003000141414141414141414141414141414141';
const DATA2 = 'ffffffffffff02005e10000108004500002500010000401164c30a0101010a01010204d2138800110000000300024242424242';
/** A TFTP error from port 5001 whose message has no NUL: malformed (no request seen for it: port 1301 is no transfer). */
const ERROR_UNTERMINATED = 'ffffffffffff02005e10000108004500002600010000401164c20a0101020a01010113890515001200000005000264656e696564';

function run(frames: string[], options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((hex, i) => {
    const data = Buffer.from(hex, 'hex');
    return d.dissect({ number: i + 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, options);
  });
}

test('NBDGM host announcement: header, SMB Trans, mailslot, browser fields and Info', () => {
  const [p] = run([HOST]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:ip:udp:nbdgm:smb:browser');
  assert.equal(p!.summary.protocol, 'BROWSER');
  assert.equal(p!.summary.info, 'Host Announcement ALICE, Workstation, Server, Print Queue Server, Xenix Server, Potential Browser, Master Browser, Windows 95 or above');
  assert.equal(fieldText(p!, 'nbdgm.type'), '17');
  assert.equal(fieldText(p!, 'nbdgm.flags'), '0x0e');
  assert.equal(fieldText(p!, 'nbdgm.first'), '1');
  assert.equal(fieldText(p!, 'nbdgm.node_type'), '3');
  assert.equal(fieldText(p!, 'nbdgm.dgram_id'), '0x1234');
  assert.equal(fieldText(p!, 'nbdgm.src.ip'), '192.168.7.10');
  assert.equal(fieldText(p!, 'nbdgm.source_name'), 'ALICE<20>');
  assert.equal(fieldText(p!, 'nbdgm.destination_name'), 'WORKGROUP<1d>');
  assert.equal(fieldText(p!, 'smb.cmd'), '0x25');
  assert.equal(fieldText(p!, 'smb.server_component'), '0x424d53ff');
  assert.equal(fieldText(p!, 'smb.signature'), '0000000000000000');
  assert.equal(fieldText(p!, 'smb.timeout'), '1000');
  assert.equal(fieldText(p!, 'smb.trans_name'), '\\MAILSLOT\\BROWSE');
  assert.equal(fieldText(p!, 'mailslot.class'), '2');
  assert.equal(fieldText(p!, 'mailslot.size'), '55');
  assert.equal(fieldText(p!, 'browser.command'), '0x01');
  assert.equal(fieldText(p!, 'browser.period'), '720000');
  assert.equal(fieldText(p!, 'browser.server'), 'ALICE');
  assert.equal(fieldText(p!, 'browser.windows_version'), 'Windows 7 or Windows Server 2008 R2');
  assert.equal(fieldText(p!, 'browser.server_type'), '0x00450a03');
  assert.equal(fieldText(p!, 'browser.server_type.print'), '1');
  assert.equal(fieldText(p!, 'browser.server_type.ntw'), '0');
  assert.equal(fieldText(p!, 'browser.sig'), '0xaa55');
  assert.equal(fieldText(p!, 'browser.comment'), 'Hello');
  const browser = p!.layers.find((l) => l.protocol === 'browser')!;
  assert.ok(browser.fields.some((f) => f.label === 'Update Periodicity: 12 minutes'));
  assert.ok(browser.fields.some((f) => f.label === 'Server Type: 0x00450a03, Workstation, Server, Print, Xenix, Potential Browser, Master Browser, Windows 95+'));
});

test('NBDGM election request: criteria, desire and OS flags, uptime', () => {
  const [p] = run([ELECTION]);
  assert.equal(p!.summary.info, 'Browser Election Request');
  assert.equal(fieldText(p!, 'browser.election.criteria'), '0x21010f25');
  assert.equal(fieldText(p!, 'browser.election.desire'), '0x25');
  assert.equal(fieldText(p!, 'browser.election.desire.wins'), '1');
  assert.equal(fieldText(p!, 'browser.election.os.nts'), '1');
  assert.equal(fieldText(p!, 'browser.uptime'), '123456789');
  assert.equal(fieldText(p!, 'browser.server'), 'BOB');
  const browser = p!.layers.find((l) => l.protocol === 'browser')!;
  assert.ok(browser.fields.some((f) => f.label === 'Uptime: 1 day, 10 hours, 17 minutes, 36.789 seconds'));
});

test('NBDGM comment without its NUL: malformed browser layer', () => {
  const [p] = run([COMMENT_UNTERMINATED]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:ip:udp:nbdgm:smb:browser');
  assert.equal(p!.summary.info, 'Host Announcement ALICE, Workstation, Server[Malformed Packet]');
  assert.equal(fieldText(p!, 'browser.comment'), '');
});

test('TFTP: the request opens a conversation; OACK sets the block size; data between the new ports', () => {
  const ps = run([WRQ, OACK, DATA1, DATA2, ERROR_UNTERMINATED]);
  assert.deepEqual(ps.map((p) => fieldText(p, 'frame.protocols')), [
    'eth:ethertype:ip:udp:tftp', 'eth:ethertype:ip:udp:tftp', 'eth:ethertype:ip:udp:tftp:data', 'eth:ethertype:ip:udp:tftp:data', 'eth:ethertype:ip:udp:data',
  ]);
  assert.deepEqual(ps.slice(0, 4).map((p) => p.summary.info), [
    'Write Request, File: up.bin, Transfer type: octet, blksize=16, tsize=21', 'Option Acknowledgement, blksize=16, tsize=21',
    'Data Packet, Block: 1', 'Data Packet, Block: 2 (last)',
  ]);
  assert.equal(fieldText(ps[0]!, 'tftp.destination_file'), 'up.bin');
  assert.equal(fieldText(ps[0]!, 'tftp.option.name'), 'blksize,tsize');
  assert.equal(fieldText(ps[1]!, 'tftp.request_frame'), '1');
  assert.equal(fieldText(ps[3]!, 'tftp.block'), '2');
  assert.equal(fieldText(ps[3]!, 'tftp.block.full'), '2');
  assert.equal(fieldText(ps[3]!, 'tftp.destination_file'), 'up.bin');
  assert.equal(fieldText(ps[3]!, 'data.data'), '4242424242');
});

test('TFTP error without its NUL on port 69: malformed', () => {
  // From port 69 itself so that the port table chooses TFTP.
  const hex = ERROR_UNTERMINATED.slice(0, 68) + '0045' + ERROR_UNTERMINATED.slice(72);
  const [p] = run([hex]);
  assert.equal(p!.summary.protocol, 'TFTP');
  assert.equal(p!.summary.info, 'Error Code, Code: Access violation[Malformed Packet]');
  assert.equal(fieldText(p!, 'tftp.error.code'), '2');
});

test('without a tree the selected NBDGM, browser and TFTP fields come out the same', () => {
  const frames = [HOST, ELECTION, COMMENT_UNTERMINATED, WRQ, OACK, DATA1, DATA2];
  const names = ['nbdgm.source_name', 'smb.bcc', 'mailslot.name', 'browser.server_type', 'browser.server_type.w95', 'browser.comment',
    'browser.election.os', 'tftp.block.full', 'tftp.request_frame', 'tftp.option.value', 'frame.protocols', 'data.data'];
  const tree = run(frames);
  const selected = run(frames, { fields: new Set(names), columns: false });
  tree.forEach((p, i) => { for (const name of names) assert.equal(fieldText(selected[i]!, name), fieldText(p, name), `frame ${i + 1} ${name}`); });
});

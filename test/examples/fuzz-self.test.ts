/**
 * examples/fuzz-peer.ts pointed at our own BgpSpeaker on loopback (no root): near-valid EVPN
 * UPDATEs from the exported generators. Our speaker answers each one as RFC 7606 says (stay up
 * with treat-as-withdraw, or a NOTIFICATION and a reset), never crashes, keeps accepting
 * sessions, and the NOTIFICATIONs the fuzzer reports are the ones the speaker says it sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, type NotificationMessage } from '../../src/index.js';
import { ExampleProcess } from './child.js';

const US = '127.0.0.40';
const FUZZER = '127.0.0.41';

let speaker: BgpSpeaker | undefined;
let fuzz: ExampleProcess | undefined;
afterEach(async () => {
  await fuzz?.stop();
  await speaker?.stop();
  fuzz = speaker = undefined;
});

describe('examples/fuzz-peer.ts against our own speaker', () => {
  it('near-valid EVPN UPDATEs: every input answered per RFC 7606, the speaker stays up', async () => {
    speaker = new BgpSpeaker({ asn: 65000, routerId: US, listen: { address: US, port: 0 } });
    speaker.addPeer({ address: FUZZER, asn: 65000, families: ['l2vpn-evpn'], passive: true, idleHoldTime: 0.01 });
    const sent: NotificationMessage[] = [];
    const updateErrors: Error[] = [];
    speaker.on('notificationSent', (_p, m) => sent.push(m));
    speaker.on('updateError', (_p, e) => updateErrors.push(e));
    await speaker.start();
    const count = 15; // each reset doubles the speaker's IdleHold wait (damping): keep it short
    fuzz = new ExampleProcess('examples/fuzz-peer.ts', [
      '--peer', US, '--port', String(speaker.listenAddress!.port), '--asn', '65000', '--router-id', FUZZER,
      '--local-address', FUZZER, '--mode', 'evpn', '--count', String(count), '--time-limit', '60', '--seed', '11', '--observe-ms', '600', '--json',
    ]);
    const code = await fuzz.exit(90_000);
    expect(code, fuzz.stdout.slice(-3000) + fuzz.stderr).toBe(0);
    const cases = fuzz.events.filter((e) => e.event === 'case');
    expect(cases).toHaveLength(count);
    expect(fuzz.events.at(-1)).toMatchObject({ event: 'summary', cases: count, aliveAtEnd: true, peerGone: false });
    const reported = cases.filter((e) => e.outcome === 'notification').map((e) => e.notification as { code: number; subcode: number });
    // only UPDATE Message Errors (3/x) for broken UPDATEs; same list as the speaker's own record
    expect(reported.every((n) => n.code === 3)).toBe(true);
    expect(reported.map((n) => `${n.code}/${n.subcode}`)).toEqual(sent.filter((m) => m.code === 3).map((m) => `${m.code}/${m.subcode}`));
    // and the inputs that did not reset the session were survived as RFC 7606 errors or accepted
    expect(cases.filter((e) => e.outcome === 'closed')).toEqual([]);
    const stayedUp = cases.filter((e) => e.outcome === 'stayed-up').length;
    expect(stayedUp + reported.length).toBe(count);
    // some inputs were survived as RFC 7606 errors (treat-as-withdraw), reported by the speaker
    expect(updateErrors.length).toBeGreaterThan(0);
    expect(updateErrors.length).toBeLessThanOrEqual(stayedUp);
    expect(reported.length).toBeGreaterThan(0);
  });

  it('mixed inputs (seed 7): the OPEN in Established that crashes GoBGP 3.10 gets an FSM error NOTIFICATION here (RFC 6608)', async () => {
    speaker = new BgpSpeaker({ asn: 65000, routerId: US, listen: { address: US, port: 0 } });
    speaker.addPeer({ address: FUZZER, asn: 65000, families: ['l2vpn-evpn'], passive: true, idleHoldTime: 0.01 });
    await speaker.start();
    fuzz = new ExampleProcess('examples/fuzz-peer.ts', [
      '--peer', US, '--port', String(speaker.listenAddress!.port), '--asn', '65000', '--router-id', FUZZER,
      '--local-address', FUZZER, '--mode', 'mixed', '--count', '6', '--time-limit', '60', '--seed', '7', '--observe-ms', '600', '--json',
    ]);
    const code = await fuzz.exit(90_000);
    expect(code, fuzz.stdout.slice(-3000) + fuzz.stderr).toBe(0);
    const cases = fuzz.events.filter((e) => e.event === 'case');
    expect(cases).toHaveLength(6);
    // the same input #1 as in test/interop/examples-fuzz.test.ts: an OPEN (type 1) in Established
    expect((cases[1]!.hex as string).slice(36, 38)).toBe('01');
    expect(cases[1]).toMatchObject({ outcome: 'notification', notification: { code: 5, subcode: 3 } });
    expect(fuzz.events.at(-1)).toMatchObject({ event: 'summary', aliveAtEnd: true, peerGone: false });
  });
});

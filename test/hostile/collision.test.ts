/**
 * Collision slots (RFC 4271 6.8) against a hostile peer address, over real TCP on loopback:
 * connections that never send an OPEN must not lock the real peer out. Before the fix, two such
 * connections held both slots for the 240 s OpenSent hold time and the real peer got Cease/7.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/index.js';
import { waitUntil } from './helpers.js';

const A = '127.0.0.40';
const B = '127.0.0.41';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** A TCP connection from the peer's address that reads but never writes. */
function silent(port: number): { socket: net.Socket; got: Buffer[] } {
  const got: Buffer[] = [];
  const socket = net.connect({ host: A, port, localAddress: B });
  socket.on('data', (d) => got.push(d));
  socket.on('error', () => {});
  cleanups.push(() => void socket.destroy());
  return { socket, got };
}

/** BGP message types in what a socket received. */
function types(chunks: Buffer[]): number[] {
  const all = Buffer.concat(chunks);
  const out: number[] = [];
  for (let at = 0; at + 19 <= all.length; at += all.readUInt16BE(at + 16)) out.push(all[at + 18]!);
  return out;
}

async function speakerA(delayOpenTime?: number): Promise<{ a: BgpSpeaker; port: number }> {
  const a = new BgpSpeaker({ asn: 65000, routerId: A, listen: { address: A, port: 0 } });
  a.addPeer({ address: B, asn: 65000, families: ['l2vpn-evpn'], passive: true, ...(delayOpenTime === undefined ? {} : { delayOpenTime }) });
  await a.start();
  cleanups.push(() => a.stop());
  return { a, port: a.listenAddress!.port };
}

describe('hostile: collision slots', () => {
  it('two silent connections from the peer address do not lock the real peer out', async () => {
    const { a, port } = await speakerA();
    const s1 = silent(port);
    await waitUntil('OPEN on the first', () => types(s1.got).length >= 1);
    const s2 = silent(port);
    await waitUntil('OPEN on the second', () => types(s2.got).length >= 1);
    expect(a.peerState(B)).toBe('OpenSent');

    const b = new BgpSpeaker({ asn: 65000, routerId: B, listen: false });
    b.addPeer({ address: A, port, asn: 65000, families: ['l2vpn-evpn'], localAddress: B, connectRetryTime: 1 });
    const seen: string[] = [];
    b.on('notificationReceived', (_p, n) => seen.push(`${n.code}/${n.subcode}`));
    cleanups.push(() => b.stop());
    const t0 = Date.now();
    await b.start();
    await waitUntil('both Established', () => a.peerState(B) === 'Established' && b.peerState(A) === 'Established', 5000);
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(3000);
    // the real peer was never refused
    expect(seen).toEqual([]);
    // the oldest silent connection made room: Cease/7 after our OPEN, then closed
    await waitUntil('first silent closed', () => s1.socket.closed || s1.socket.readableEnded);
    expect(types(s1.got)).toEqual([1, 3]);
    const all = Buffer.concat(s1.got);
    expect(all.subarray(all.length - 2).toString('hex')).toBe('0607');
    // the session stays up after the replaced connections are gone
    s2.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(a.peerState(B)).toBe('Established');
    // an Established connection is never replaced: another connection gets Cease/7 alone
    const s3 = silent(port);
    await waitUntil('third refused', () => types(s3.got).includes(3));
    const got3 = Buffer.concat(s3.got);
    expect(types(s3.got)).toEqual([3]);
    expect(got3.subarray(got3.length - 2).toString('hex')).toBe('0607');
    expect(a.peerState(B)).toBe('Established');
  });

  it('with DelayOpen (RFC 4271 8.1.1) the silent connections wait in Active and are replaced the same way', async () => {
    const { a, port } = await speakerA(5);
    const s1 = silent(port);
    const s2 = silent(port);
    await waitUntil('both accepted', () => a.peer(B)!.session.resources.connections === 2);
    expect(types(s1.got)).toEqual([]);
    expect(a.peerState(B)).toBe('Active');
    const b = new BgpSpeaker({ asn: 65000, routerId: B, listen: false });
    b.addPeer({ address: A, port, asn: 65000, families: ['l2vpn-evpn'], localAddress: B, connectRetryTime: 1 });
    cleanups.push(() => b.stop());
    const t0 = Date.now();
    await b.start();
    await waitUntil('both Established', () => a.peerState(B) === 'Established' && b.peerState(A) === 'Established');
    // well inside the 5 s DelayOpen time: B's OPEN ended it
    expect(Date.now() - t0).toBeLessThan(3000);
    await waitUntil('first silent got Cease/7', () => types(s1.got).includes(3));
    expect(types(s1.got)).toEqual([3]);
    expect(types(s2.got)).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Session } from '../../src/bgp/session/session.js';
import { Listener } from '../../src/bgp/session/listener.js';
import { tcpNetwork } from '../../src/bgp/session/transport.js';
import type { SessionConfig } from '../../src/bgp/session/types.js';

/** Real TCP on loopback only (network rule): IPv4 127.0.0.1/127.0.0.2 and IPv6 ::1. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitUntil(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pairOver(host: string): Promise<[Session, Session]> {
  const evpn = { afi: 25, safi: 70 };
  const base: Omit<SessionConfig, 'peerAddress' | 'localAsn' | 'routerId' | 'peerAsn'> = { families: [evpn], holdTime: 9, idleHoldTime: 1 };
  const a = new Session({ ...base, localAsn: 4200000001, routerId: '1.1.1.1', peerAddress: host, peerAsn: 4200000002, passive: true });
  const listener = new Listener({ address: host, port: 0, lookup: (addr) => (addr === host ? a : undefined) });
  const srv = await listener.listen();
  const b = new Session({ ...base, localAsn: 4200000002, routerId: '2.2.2.2', peerAddress: host, peerPort: srv.port, peerAsn: 4200000001, localAddress: host });
  cleanups.push(async () => {
    await b.stop();
    await a.stop();
    await listener.close();
  });
  a.start();
  b.start();
  await waitUntil('established', () => a.state === 'Established' && b.state === 'Established');
  return [a, b];
}

describe('Session over real TCP (loopback)', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`establishes over ${host.includes(':') ? 'IPv6' : 'IPv4'}, exchanges End-of-RIB, stops cleanly`, async () => {
      const [a, b] = await pairOver(host);
      expect(a.negotiated).toMatchObject({ fourOctetAs: true, extendedMessage: true, peerAsn: 4200000002 });
      const eor: unknown[] = [];
      a.on('endOfRib', (f) => eor.push(f));
      expect(b.sendEndOfRib({ afi: 25, safi: 70 })).toBe(true);
      await waitUntil('End-of-RIB', () => eor.length === 1);
      const got: unknown[] = [];
      b.on('notificationReceived', (n) => got.push(n));
      await a.stop('bye');
      await waitUntil('b saw the Cease', () => got.length === 1);
      expect(got[0]).toMatchObject({ code: 6, subcode: 2, shutdownMessage: 'bye' });
      expect(a.resources).toEqual({ timers: 0, connections: 0, closing: 0 });
    });
  }

  it('the listener refuses an unconfigured address with Cease/5', async () => {
    const listener = new Listener({ address: '127.0.0.1', port: 0, lookup: (addr) => (addr === '127.0.0.1' ? ({} as never) : undefined) });
    const srv = await listener.listen();
    cleanups.push(() => listener.close());
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = net.connect({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.2' });
      s.on('data', (d) => chunks.push(d));
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
      setTimeout(() => s.destroy(), 3000).unref();
    });
    expect(bytes.toString('hex')).toBe('ff'.repeat(16) + '0015' + '03' + '0605');
  });

  it('tcpNetwork.connect rejects a refused connection and honours abort', async () => {
    const srv = await tcpNetwork.listen('127.0.0.1', 0, (t) => t.destroy());
    const port = srv.port;
    await srv.close();
    await expect(tcpNetwork.connect('127.0.0.1', port)).rejects.toThrow(/ECONNREFUSED/);
    const ac = new AbortController();
    ac.abort();
    await expect(tcpNetwork.connect('127.0.0.1', port, undefined, { signal: ac.signal })).rejects.toThrow(/abort/);
  });
});

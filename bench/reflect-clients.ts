/**
 * Child process of bench/reflect.bench.ts, run inside the route reflector's namespace: eight
 * receiving iBGP clients and one sending client of the route reflector at RR:PORT, on loopback
 * addresses. Once all nine are Established the sender writes N pre-encoded EVPN Type-2 routes
 * (with backpressure); "done" (one JSON line on stdout) is when every receiver has been sent N
 * routes. Receivers count announced NLRI from the raw parse (no RIB: the clients are not what
 * is measured).
 *
 *   node reflect-clients.mjs RR PORT N RECEIVERS FIRST_CLIENT_ADDRESS NEXT_HOP
 */
import { registerEvpn } from '../src/evpn/index.js';
import { Session } from '../src/bgp/session/session.js';
import type { RawUpdate } from '../src/bgp/codec.js';
import { encodeStream } from './evpn-stream.js';

registerEvpn();
const [rr = '127.0.0.1', portText = '179', nText = '1000', receiversText = '8', first = '127.0.0.2', nextHop = first] = process.argv.slice(2);
const port = Number(portText);
const n = Number(nText);
const receivers = Number(receiversText);
const base = first.split('.').map(Number) as [number, number, number, number];
const addr = (i: number): string => `${base[0]}.${base[1]}.${base[2]}.${base[3] + i}`;
const AS = 65000;

const out = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

function session(i: number): Session {
  return new Session({ localAsn: AS, routerId: addr(i), peerAddress: rr, peerAsn: AS, peerPort: port, localAddress: addr(i), families: [{ afi: 25, safi: 70 }], holdTime: 180, extendedMessage: false, connectRetryTime: 1, nlriMode: 'bounds' });
}

async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const counts = new Array<number>(receivers).fill(0);
const rx: Session[] = [];
for (let i = 0; i < receivers; i++) {
  const s = session(i + 1);
  s.on('update', (_m: Buffer, u: RawUpdate) => {
    for (const a of u.announced) counts[i]! += a.bounds === undefined ? a.nlri.length : a.bounds.length >>> 1;
  });
  rx.push(s);
  s.start();
}
const tx = session(0);
tx.start();
const all = [tx, ...rx];
try {
  await until('all clients Established', 90_000, () => all.every((s) => s.state === 'Established'));
  const chunks = encodeStream(n, nextHop);
  out({ event: 'up' });
  // the reflector's initial table (empty) and End-of-RIB have gone by; now the stream
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const c of chunks) {
    if (!tx.send(c)) await new Promise<void>((resolve) => tx.once('drain', () => resolve()));
  }
  const sentMs = performance.now() - t0;
  await until(`every receiver has ${n} routes (${counts.join(' ')})`, 300_000, () => counts.every((c) => c >= n));
  const cpu = process.cpuUsage(cpu0);
  out({ event: 'done', ms: performance.now() - t0, sentMs, counts, clientsCpuMs: (cpu.user + cpu.system) / 1000 });
} catch (e) {
  out({ event: 'error', error: String(e), counts, states: all.map((s) => s.state) });
} finally {
  await Promise.all(all.map((s) => s.stop()));
  process.exit(0);
}

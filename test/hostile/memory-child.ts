/**
 * Run with `node --expose-gc --import tsx test/hostile/memory-child.ts <mode> [attributeCacheBytes]`:
 * one attacking peer X sends UPDATEs to speaker Y (in-memory network), then Y's heap growth
 * (heapUsed + external after a forced GC, from just after the session came up) is printed as
 * one JSON line.
 * - `distinct`: 4,000 distinct 64 kB UPDATEs, each withdrawn again (0 routes held at the end).
 * - `churn`: 200 rounds of 1,000 announced 257-byte routes of which 999 are withdrawn again
 *   (200 routes held at the end, each from a different round).
 */
import { familyKey } from '../../src/bgp/families.js';
import { Fabric } from '../bgp/fabric-helpers.js';
import { announce, distinctUpdate, rawRoute, withdraw, withdrawType2 } from './messages.js';

const X = '10.0.9.1';
const Y = '10.0.9.2';
const mode = process.argv[2] ?? 'distinct';
const cacheBytes = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function used(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const fabric = new Fabric();
const x = fabric.speaker(X, 65000, [{ address: Y, asn: 65000 }]);
const y = fabric.speaker(Y, 65000, [{ address: X, asn: 65000, passive: true, ...(cacheBytes === undefined ? {} : { limits: { attributeCacheBytes: cacheBytes } }) }]);
await y.start();
await x.start();
await fabric.settle('up', () => x.peerState(Y) === 'Established' && y.peerState(X) === 'Established');
const session = x.peer(Y)!.session;
const evpnRib = (): number => y.locRibIfAny(familyKey(25, 70))?.size ?? 0;
const t0 = Date.now();
const before = used();
let held = 0;
if (mode === 'distinct') {
  for (let i = 0; i < 4000; i++) {
    session.send(distinctUpdate(i));
    await fabric.settle(`route ${i} in`, () => evpnRib() === 1);
    session.send(withdrawType2(i));
    await fabric.settle(`route ${i} out`, () => evpnRib() === 0);
  }
} else {
  const perRound = 1000;
  const perMessage = 240; // 240 x 257 bytes fit a 65,535-byte UPDATE
  for (let round = 0; round < 200; round++) {
    const routes: Buffer[] = [];
    for (let i = 0; i < perRound; i++) routes.push(rawRoute(round * perRound + i));
    for (let i = 0; i < perRound; i += perMessage) session.send(announce(routes.slice(i, i + perMessage)));
    await fabric.settle(`round ${round} in`, () => evpnRib() === round + perRound);
    for (let i = 1; i < perRound; i += perMessage) session.send(withdraw(routes.slice(i, i + perMessage)));
    await fabric.settle(`round ${round} out`, () => evpnRib() === round + 1);
  }
}
held = evpnRib();
const after = used();
const state = y.peerState(X);
await fabric.stopAll();
console.log(JSON.stringify({ mode, held, growth: after - before, state, seconds: (Date.now() - t0) / 1000 }));

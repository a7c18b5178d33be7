/**
 * Child process of bench/speaker.bench.ts: a BgpSpeaker that accepts one iBGP peer on loopback
 * and reports (one JSON line on stdout) when its EVPN Loc-RIB holds `n` routes, with its peak
 * RSS (VmHWM). Run alone, so its memory is its own.
 *
 * With a third argument `vtep`, a VtepManager (VNI 100, route target 65000:100, a VXLAN engine
 * without an underlay as its dataplane) is attached, and "done" means its tables hold `n` MACs:
 * the whole path from the wire to forwarding state.
 *
 *   node --import tsx bench/speaker-receiver.ts PORT N [vtep]
 */
import { readFileSync } from 'node:fs';
import { registerEvpn } from '../src/evpn/index.js';
import { BgpSpeaker } from '../src/bgp/speaker.js';
import { VtepManager } from '../src/vtep/manager.js';
import { VxlanEngine } from '../src/dataplane/engine.js';

registerEvpn();
const port = Number(process.argv[2]);
const n = Number(process.argv[3]);
const withVtep = process.argv[4] === 'vtep';

function vm(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m === null ? 0 : Number(m[1]) * 1024;
}

const s = new BgpSpeaker({ asn: 65000, routerId: '127.0.0.2', listen: { address: '127.0.0.1', port } });
s.addPeer({ address: '127.0.0.1', asn: 65000, families: ['l2vpn-evpn'], passive: true, holdTime: 90 });
const vtep = withVtep
  ? new VtepManager({ speaker: s, dataplane: new VxlanEngine(), vtepAddress: '127.0.0.2', vnis: [{ vni: 100, routeTargets: ['65000:100'], expectedMacs: n }] })
  : undefined;
/** Routes received, or with a VtepManager, MACs in its VNI's tables. */
const count = (): number => (vtep === undefined ? s.routeCount('l2vpn-evpn') : (vtep.tables.vni(100)?.size ?? 0));
let established = 0;
let cpu0 = process.cpuUsage();
s.on('established', () => {
  established = performance.now();
  cpu0 = process.cpuUsage();
});
await s.start();
const baseline = vm('VmRSS');
process.stdout.write(JSON.stringify({ ready: true, baseline }) + '\n');
const deadline = Date.now() + 300_000;
const timer = setInterval(() => {
  if (count() >= n || Date.now() > deadline) {
    clearInterval(timer);
    const done = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const m = process.memoryUsage();
    if (gc !== undefined) process.stderr.write(`receiver after gc: heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB, arrayBuffers ${(m.arrayBuffers / 2 ** 20).toFixed(0)} MiB, rss ${(m.rss / 2 ** 20).toFixed(0)} MiB\n`);
    process.stdout.write(JSON.stringify({ routes: count(), sinceEstablishedMs: done - established, cpuMs: (cpu.user + cpu.system) / 1000, hwm: vm('VmHWM'), rss: vm('VmRSS'), heap: process.memoryUsage().heapUsed }) + '\n');
    vtep?.close();
    void s.stop().then(() => process.exit(0));
  }
}, 5);

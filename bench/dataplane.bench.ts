/**
 * Dataplane bench (issue 6).
 *
 * 1. Encapsulation and decapsulation in memory, frames/s, for 64- and 1450-byte frames, next to a
 *    same-run baseline of copying the frame once. Goal: encap costs no more than one frame copy
 *    (ratio = encap rate / copy rate >= 1.0), i.e. it does not copy.
 * 2. UDP packets/s through the engine over loopback (a local port → MAC lookup → flow hash →
 *    source port of the pool → one copy into a datagram → send), next to raw `dgram` sends of
 *    the same payloads (VXLAN header + frame), the plain `socket.send(buf, port, address)` an
 *    application would write. Goal: ratio >= 0.8.
 * 3. Ingress replication of a broadcast frame to 8 VTEPs, replicas/s, next to 8 raw sends.
 *
 *   npx tsx bench/dataplane.bench.ts
 */
import { createSocket, type Socket } from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable, type Row } from './harness.js';

type Dataplane = typeof import('../src/dataplane/index.js');

/**
 * The dataplane as it ships: bundled into one module by esbuild (as tsup does), so calls
 * between its files are direct. Running the sources through tsx's per-file loader instead
 * makes every cross-file call several times slower and would measure the loader, not the code.
 * Falls back to the sources when esbuild is not installed (`loadedFrom` says which).
 */
let loadedFrom = 'sources (tsx)';
async function load(): Promise<Dataplane> {
  try {
    const esbuild = await import('esbuild');
    const entry = fileURLToPath(new URL('../src/dataplane/index.ts', import.meta.url));
    const out = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
    const file = fileURLToPath(new URL(`./.dataplane-bench-${process.pid}.mjs`, import.meta.url));
    writeFileSync(file, out.outputFiles[0]!.text);
    try {
      const m = (await import(file)) as Dataplane;
      loadedFrom = 'bundled by esbuild';
      return m;
    } finally {
      rmSync(file, { force: true });
    }
  } catch {
    return import('../src/dataplane/index.js');
  }
}
const dp = await load();
const {
  BufferPool, DecapResult, Endpoint, FullUnderlay, OuterTemplate, UdpUnderlay, VxlanEngine, decapFull, decapUdpPayload, encapUdpPayload, entropyPort,
  flowHash, macBytes,
} = dp;

/** One measurement. `ratio` = opsPerSec / baselineOpsPerSec (higher is better). */
interface Measured {
  name: string;
  opsPerSec: number;
  baselineOpsPerSec?: number;
  ratio?: number;
  note?: string;
}

let sink = 0;

/** Runs `batch` (which does `n` operations) until `ms` have passed; returns operations/s. */
function rate(n: number, batch: () => void, ms = 300): number {
  for (let i = 0; i < 3; i++) batch(); // warm-up
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    batch();
    ops += n;
    t = performance.now();
  }
  return (ops * 1000) / (t - t0);
}

function frameOf(len: number): Buffer {
  const f = Buffer.alloc(len);
  for (let i = 0; i < len; i++) f[i] = (i * 31) & 0xff;
  macBytes('02:00:00:00:00:02').copy(f, 0);
  macBytes('02:00:00:00:00:01').copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f[14 + 9] = 17;
  return f;
}

function memoryRows(len: number): Measured[] {
  const n = 10_000;
  const frame = frameOf(len);
  const headroom = 70;
  // the packet buffer: headroom + frame, as a pool slot would hold it
  const pkt = Buffer.alloc(headroom + len);
  frame.copy(pkt, headroom);
  const dst = Buffer.alloc(headroom + len);
  // baseline: the cheaper of the two ways Node copies a frame once
  const copyA = rate(n, () => { for (let i = 0; i < n; i++) frame.copy(dst, headroom); });
  const copyB = rate(n, () => { for (let i = 0; i < n; i++) dst.set(frame, headroom); });
  const copy = Math.max(copyA, copyB);
  const t4 = new OuterTemplate({ dstMac: macBytes('02:ff:00:00:00:02'), srcMac: macBytes('02:ff:00:00:00:01'), srcIp: Buffer.from([198, 18, 0, 1]), dstIp: Buffer.from([198, 18, 0, 2]) });
  const t6 = new OuterTemplate({ dstMac: macBytes('02:ff:00:00:00:02'), srcMac: macBytes('02:ff:00:00:00:01'), srcIp: Buffer.alloc(16, 1), dstIp: Buffer.alloc(16, 2) });
  const t6z = new OuterTemplate({ dstMac: macBytes('02:ff:00:00:00:02'), srcMac: macBytes('02:ff:00:00:00:01'), srcIp: Buffer.alloc(16, 1), dstIp: Buffer.alloc(16, 2), udp6Checksum: 'zero' });
  const end = headroom + len;
  const rows: Measured[] = [];
  const row = (name: string, ops: number, note: string): void => {
    rows.push({ name: `${name} ${len} B`, opsPerSec: ops, baselineOpsPerSec: copy, ratio: ops / copy, note });
  };
  row('copy frame once (baseline)', copy, `Buffer#copy ${Math.round(copyA / 1e6)} M/s, TypedArray#set ${Math.round(copyB / 1e6)} M/s`);
  row('encap UDP-payload (VXLAN header)', rate(n, () => { for (let i = 0; i < n; i++) sink ^= encapUdpPayload(pkt, headroom, i); }), 'goal ratio >= 1.0');
  row('encap full IPv4', rate(n, () => { for (let i = 0; i < n; i++) sink ^= t4.encap(pkt, headroom, end, 101, 50000 + (i & 1023)); }),
    'goal ratio >= 1.0; 50-byte header from a template, IPv4 checksum from a partial sum');
  row('flow hash → entropy port', rate(n, () => { for (let i = 0; i < n; i++) sink ^= entropyPort(flowHash(pkt, headroom, end)); }),
    'once per frame (all replicas share it); inner IPv4 5-tuple');
  row('encap full IPv6 (UDP checksum zero, RFC 6935)', rate(n, () => { for (let i = 0; i < n; i++) sink ^= t6z.encap(pkt, headroom, end, 101, 50000); }), 'goal ratio >= 1.0');
  row('encap full IPv6 (UDP checksum computed)', rate(n, () => { for (let i = 0; i < n; i++) sink ^= t6.encap(pkt, headroom, end, 101, 50000); }), 'reads the whole frame for the checksum');
  const r = new DecapResult();
  encapUdpPayload(pkt, headroom, 101);
  // the whole engine in memory: port → MAC table → flow hash → full-mode encap in the pool
  // frame's headroom → sink (and, for the BUM row, the same frame to 3 VTEPs)
  const pool = new BufferPool({ slots: 4, frameSize: 2048 });
  let sunk = 0;
  const u = new FullUnderlay({ localIp4: '198.18.0.1', localMac: '02:00:00:00:00:01', gatewayMac: '02:00:00:00:00:02', pool, sink: () => { sunk++; } });
  const engine = new VxlanEngine({ underlay: u });
  engine.addVni(1);
  engine.setRemoteMac(1, '02:00:00:00:00:02', '198.18.0.2');
  engine.setFloodList(1, ['198.18.0.2', '198.18.0.3', '198.18.0.4']);
  const port = new Endpoint('p');
  engine.attachPort(1, port);
  const mem = pool.memory;
  const uo = pool.frameOffset(pool.acquire());
  frame.copy(mem, uo);
  row('engine forward, full mode, unicast', rate(n, () => { for (let i = 0; i < n; i++) port.send(mem, uo, uo + len); }), 'port → lookup → hash → encap in place → sink; no allocation');
  const bo = pool.frameOffset(pool.acquire());
  frame.copy(mem, bo);
  mem.fill(0xff, bo, bo + 6);
  row('engine forward, full mode, BUM to 3 VTEPs', rate(n, () => { for (let i = 0; i < n; i++) port.send(mem, bo, bo + len); }), 'frames/s; 3 replicas each, headers rewritten, frame not copied');
  if (sunk === 0 || u.counters.copies !== 0) throw new Error('engine rows did not run in place');
  row('decap UDP-payload', rate(n, () => { for (let i = 0; i < n; i++) sink ^= decapUdpPayload(pkt, headroom - 8, end, r); }), 'validates flags and length');
  const s4 = t4.encap(pkt, headroom, end, 101, 50000);
  row('decap full IPv4', rate(n, () => { for (let i = 0; i < n; i++) sink ^= decapFull(pkt, s4, end, r); }), 'verifies the IPv4 header checksum');
  return rows;
}

function bound(sock: Socket, address: string): Promise<number> {
  return new Promise((resolve) => sock.bind(0, address, () => resolve(sock.address().port)));
}

async function udpRows(): Promise<Measured[]> {
  const count = 50_000;
  const chunk = 500;
  const net = `127.${77 + (process.pid % 100)}.${(process.pid >> 8) % 250}`;
  const local = `${net}.1`;
  const remote = `${net}.2`;
  const frame = frameOf(1450);
  const small = frameOf(64);
  // the receiver: the far VTEP's port 4789 on its own loopback address (drains what arrives)
  const rx = createSocket('udp4');
  let received = 0;
  rx.on('message', () => { received++; });
  await new Promise<void>((r) => rx.bind(4789, remote, () => r()));

  const raw = createSocket('udp4');
  await bound(raw, local);
  const underlay = await UdpUnderlay.open({ address4: local, port: 0, sourcePorts: 1 });
  const engine = new VxlanEngine({ underlay });
  engine.addVni(101);
  engine.setRemoteMac(101, '02:00:00:00:00:02', remote);
  const port = new Endpoint('bench');
  engine.attachPort(101, port);

  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  const rows: Measured[] = [];
  for (const f of [small, frame]) {
    const payload = Buffer.concat([Buffer.from('0800000000006500', 'hex'), f]);
    const runRaw = async (): Promise<number> => {
      const t0 = performance.now();
      for (let sent = 0; sent < count; sent += chunk) {
        for (let i = 0; i < chunk; i++) raw.send(payload, 4789, remote);
        await tick();
      }
      await new Promise<void>((r) => raw.send(payload, 4789, remote, () => r()));
      return (count * 1000) / (performance.now() - t0);
    };
    const runEngine = async (): Promise<number> => {
      const t0 = performance.now();
      for (let sent = 0; sent < count; sent += chunk) {
        for (let i = 0; i < chunk; i++) port.send(f);
        await tick();
      }
      await new Promise<void>((r) => raw.send(payload, 4789, remote, () => r()));
      return (count * 1000) / (performance.now() - t0);
    };
    // alternate, best of three each, so neither side profits from a warmer moment
    let bestRaw = 0;
    let bestEngine = 0;
    for (let k = 0; k < 3; k++) {
      bestRaw = Math.max(bestRaw, await runRaw());
      bestEngine = Math.max(bestEngine, await runEngine());
    }
    rows.push({
      name: `UDP loopback through the engine ${f.length} B`, opsPerSec: bestEngine, baselineOpsPerSec: bestRaw, ratio: bestEngine / bestRaw,
      note: 'baseline: raw dgram send of the same VXLAN payload; goal ratio >= 0.8',
    });
  }
  const c = engine.vniCounters(101)!;
  if (c.encapFrames !== 2 * 3 * count) throw new Error(`engine sent ${c.encapFrames}, expected ${2 * 3 * count}`);

  // ingress replication: one broadcast frame to 8 VTEPs (8 sends, each its own datagram) next
  // to 8 raw sends of the same payload
  const fanout = 8;
  const peers: string[] = [];
  const sinks: Socket[] = [];
  for (let i = 0; i < fanout; i++) {
    const a = `${net}.${10 + i}`;
    const r = createSocket('udp4');
    r.on('message', () => { received++; });
    await new Promise<void>((res) => r.bind(4789, a, () => res()));
    peers.push(a);
    sinks.push(r);
  }
  engine.addVni(202);
  engine.setFloodList(202, peers);
  const bum = new Endpoint('bum');
  engine.attachPort(202, bum);
  const bcast = frameOf(1450);
  bcast.fill(0xff, 0, 6);
  const bpayload = Buffer.concat([Buffer.from('080000000000ca00', 'hex'), bcast]);
  const per = 64; // frames per tick
  const frames = Math.floor(count / fanout / per) * per;
  const runRawFan = async (): Promise<number> => {
    const t0 = performance.now();
    for (let sent = 0; sent < frames; sent += per) {
      for (let i = 0; i < per; i++) for (let k = 0; k < fanout; k++) raw.send(bpayload, 4789, peers[k]!);
      await tick();
    }
    await new Promise<void>((r) => raw.send(bpayload, 4789, remote, () => r()));
    return (frames * fanout * 1000) / (performance.now() - t0);
  };
  const runEngineFan = async (): Promise<number> => {
    const t0 = performance.now();
    for (let sent = 0; sent < frames; sent += per) {
      for (let i = 0; i < per; i++) bum.send(bcast);
      await tick();
    }
    await new Promise<void>((r) => raw.send(bpayload, 4789, remote, () => r()));
    return (frames * fanout * 1000) / (performance.now() - t0);
  };
  let bestRawFan = 0;
  let bestEngineFan = 0;
  for (let k = 0; k < 3; k++) {
    bestRawFan = Math.max(bestRawFan, await runRawFan());
    bestEngineFan = Math.max(bestEngineFan, await runEngineFan());
  }
  rows.push({
    name: `BUM ingress replication to ${fanout} VTEPs 1450 B (replicas/s)`, opsPerSec: bestEngineFan, baselineOpsPerSec: bestRawFan, ratio: bestEngineFan / bestRawFan,
    note: `baseline: ${fanout} raw dgram sends per frame; engine: one frame, ${fanout} sends of a datagram each`,
  });
  if (engine.vniCounters(202)!.floodReplicas !== 3 * frames * fanout) throw new Error('replicas missing');
  for (const r of sinks) r.close();
  await engine.close();
  raw.close();
  await new Promise((r) => setTimeout(r, 50));
  rx.close();
  if (received === 0) throw new Error('nothing arrived at the receiver');
  return rows;
}

/** All rows of this bench, in the harness's table format (`npm run bench dataplane`). */
export async function run(): Promise<Row[]> {
  const measured = [...memoryRows(64), ...memoryRows(1450), ...(await udpRows())];
  return measured.map((r) => ({
    name: r.name,
    rate: r.opsPerSec,
    unit: 'frame',
    nsPerOp: 1e9 / r.opsPerSec,
    ...(r.ratio === undefined ? {} : { ratio: r.ratio }),
    note: `${r.baselineOpsPerSec === undefined ? '' : `baseline ${fmt(r.baselineOpsPerSec)}/s; `}${r.note ?? ''} (code ${loadedFrom})`,
  }));
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await run());
  if (sink === 0.5) console.log(sink);
}

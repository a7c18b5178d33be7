import { PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferPool, Endpoint, FullUnderlay, MacTable, VxlanEngine, macBytes, writeMacKey } from '../../src/dataplane/index.js';

describe('MacTable', () => {
  it('behaves like a Map of 48-bit keys under any sequence of set/delete (property)', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(2 ** 48 - 1, 2 ** 47, 2 ** 32, 2 ** 31, 2 ** 32 - 1));
    const op = fc.tuple(fc.constantFrom('set', 'delete', 'get'), key, fc.nat(1000));
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const t = new MacTable<number>(2);
      const m = new Map<number, number>();
      const buf = Buffer.alloc(6);
      for (const [o, k, v] of ops) {
        if (o === 'set') {
          t.set(k, v);
          m.set(k, v);
        } else if (o === 'delete') {
          expect(t.delete(k)).toBe(m.delete(k));
        }
        expect(t.get(k)).toBe(m.get(k));
        writeMacKey(buf, 0, k);
        expect(t.getAt(buf, 0)).toBe(m.get(k));
        expect(t.size).toBe(m.size);
      }
      expect(new Map(t.entries())).toEqual(m);
    }), { numRuns: 300 });
  });

  it('sweep expires exactly the entries not touched since the previous sweep', () => {
    const t = new MacTable<string>();
    for (let i = 0; i < 100; i++) t.set(0x020000000000 + i, `v${i}`);
    t.sweep(() => { throw new Error('fresh entries are active'); });
    const b = Buffer.alloc(6);
    for (let i = 0; i < 100; i += 3) {
      writeMacKey(b, 0, 0x020000000000 + i);
      expect(t.touchAt(b, 0)).toBe(`v${i}`);
    }
    const gone: number[] = [];
    t.sweep((k) => gone.push(k - 0x020000000000));
    expect(gone.sort((x, y) => x - y)).toEqual([...Array(100).keys()].filter((i) => i % 3 !== 0));
  });
});

describe('the forwarding hot path allocates nothing', () => {
  it('a million frames (unicast and flooded to 3 VTEPs) cause no garbage collection', async () => {
    const pool = new BufferPool({ slots: 4, frameSize: 2048 });
    let packets = 0;
    const u = new FullUnderlay({ localIp4: '198.18.0.1', localMac: '02:00:00:00:00:01', gatewayMac: '02:00:00:00:00:02', pool, sink: () => { packets++; } });
    const e = new VxlanEngine({ underlay: u });
    e.addVni(1);
    e.setRemoteMac(1, '02:00:00:00:00:02', '198.18.0.2');
    e.setFloodList(1, ['198.18.0.2', '198.18.0.3', '198.18.0.4']);
    const p = new Endpoint('p');
    e.attachPort(1, p);
    const uni = pool.alloc(1000)!;
    macBytes('02:00:00:00:00:02').copy(uni, 0);
    macBytes('82:00:00:00:00:01').copy(uni, 6); // a MAC whose key is far outside the small-integer range
    uni.writeUInt16BE(0x0800, 12);
    uni[14] = 0x45;
    uni[23] = 17;
    const bum = pool.alloc(1000)!;
    uni.copy(bum);
    bum.fill(0xff, 0, 6);
    for (let i = 0; i < 200_000; i++) p.send(i % 8 === 0 ? bum : uni); // warm up (JIT)
    let gcs = 0;
    const obs = new PerformanceObserver((l) => { gcs += l.getEntries().length; });
    obs.observe({ entryTypes: ['gc'] });
    const before = packets;
    for (let i = 0; i < 1_000_000; i++) p.send(i % 8 === 0 ? bum : uni);
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    expect(packets - before).toBe(875_000 + 125_000 * 3);
    expect(u.counters.copies).toBe(0);
    // per-packet garbage would mean dozens of scavenges here; allow a stray one from the runner
    expect(gcs).toBeLessThanOrEqual(2);
  });
});

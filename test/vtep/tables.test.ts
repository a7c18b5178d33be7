import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ip4Index } from '../../src/vtep/ip4-index.js';
import { ipToKey, ipKeyToString, macToNumber, macToString, macFromBytes, macToBytes, ipOrderKey } from '../../src/vtep/keys.js';
import { VtepTables } from '../../src/vtep/tables.js';
import { resolveMobility, beats, nextSequence } from '../../src/vtep/mobility.js';
import type { VniObserver, VniTable } from '../../src/vtep/vni.js';
import type { IpKey } from '../../src/vtep/keys.js';

type Ev =
  | ['mac', string, number, number, number]
  | ['dup', string, number, number]
  | ['bind', string, string, string]
  | ['flood', number[]]
  | ['port', string, number];

function recorder(): { events: Ev[]; observer: VniObserver } {
  const events: Ev[] = [];
  const m = (x: number) => (x < 0 ? '-' : macToString(x));
  const observer: VniObserver = {
    macChanged: (_t, mac, from, to, seq) => void events.push(['mac', macToString(mac), from, to, seq]),
    macDuplicate: (_t, mac, at, seq) => void events.push(['dup', macToString(mac), at, seq]),
    bindingChanged: (_t, ip, mac, prev) => void events.push(['bind', ipKeyToString(ip), m(mac), m(prev)]),
    floodChanged: (t: VniTable) => void events.push(['flood', t.floodList().sort()]),
    localPortChanged: (_t, mac, port) => void events.push(['port', macToString(mac), port]),
  };
  return { events, observer };
}

function setup(self = '10.0.0.2', mobility = {}) {
  let now = 1_000_000;
  const { events, observer } = recorder();
  const tables = new VtepTables(self, resolveMobility(mobility), observer, () => now);
  const t = tables.addVni(100);
  return {
    tables, t, events,
    advance: (ms: number) => { now += ms; },
    vtep: (a: string) => tables.vteps.intern(a),
    rd: (s: string) => tables.rds.intern(s),
  };
}

const M1 = macToNumber('00:11:22:33:44:55');
const IP1 = ipToKey('192.168.1.10');

describe('Ip4Index', () => {
  // keys from a few dense groups (the grouped hash) and from anywhere (0 and 2^32 - 1 included)
  const address = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0xfffffff0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }));
  it('behaves like a Map under random inserts and deletes (blocks added, emptied, reused; directory growth)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), address, fc.nat(1000)), { maxLength: 400 }), (ops) => {
        const idx = new Ip4Index(4);
        const ref = new Map<number, number>();
        for (const [op, k, v] of ops) {
          if (op === 0) expect(idx.delete(k)).toBe(ref.delete(k));
          else if (op === 1) expect(idx.set(k, v)).toBe(ref.get(k) ?? -1), ref.set(k, v);
          else {
            const hit = ref.get(k) === v;
            expect(idx.deleteIf(k, v)).toBe(hit);
            if (hit) ref.delete(k);
          }
          expect(idx.size).toBe(ref.size);
        }
        for (const [k, v] of ref) expect(idx.get(k)).toBe(v);
        for (const [, k] of ops) expect(idx.get(k)).toBe(ref.get(k) ?? -1);
        const seen = new Map<number, number>();
        idx.forEach((k, v) => seen.set(k, v));
        expect(seen).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a dense subnet reachable through growth and deletes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 0xffff0000 }), fc.integer({ min: 2, max: 7 }), (n, base, step) => {
        const idx = new Ip4Index(4);
        for (let i = 0; i < n; i++) idx.set(base + i, i);
        for (let i = 0; i < n; i += step) expect(idx.deleteIf(base + i, i)).toBe(true);
        for (let i = 0; i < n; i++) expect(idx.get(base + i)).toBe(i % step === 0 ? -1 : i);
        expect(idx.size).toBe(n - Math.ceil(n / step));
      }),
      { numRuns: 60 },
    );
  });

  it('forgets a block it freed even when it was the last one used (the remembered block is dropped)', () => {
    const idx = new Ip4Index(16);
    idx.set(0x0a000001, 7); // block 0x00a00000
    expect(idx.deleteIf(0x0a000001, 7)).toBe(true); // block emptied and freed
    idx.set(0x0b000005, 9); // reuses that block for another prefix
    expect(idx.get(0x0a000001)).toBe(-1);
    expect(idx.get(0x0b000005)).toBe(9);
    expect(idx.get(0x0b000004)).toBe(-1);
    expect(idx.size).toBe(1);
    // the same prefix again right after its block was freed: a new block, not the freed one
    const again = new Ip4Index(16);
    again.set(0x0a000001, 1);
    again.deleteIf(0x0a000001, 1);
    again.set(0x0a000001, 2);
    again.set(0x0c000001, 3);
    expect(again.get(0x0a000001)).toBe(2);
    expect(again.get(0x0c000001)).toBe(3);
  });

  it('costs about 5 bytes per address for a dense subnet, at most 160 for scattered ones (with growth slack)', () => {
    const dense = new Ip4Index(16);
    for (let i = 0; i < 100_000; i++) dense.set(0x0a000000 + i, i);
    expect(dense.byteLength / 100_000).toBeLessThan(7);
    const sparse = new Ip4Index(16);
    for (let i = 0; i < 10_000; i++) sparse.set(i * 4099, i);
    expect(sparse.byteLength / 10_000).toBeLessThanOrEqual(160);
    for (let i = 0; i < 10_000; i++) expect(sparse.get(i * 4099)).toBe(i);
  });

  it('keeps every address reachable while a table is emptied in any order (blocks leave the directory)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(address, { minLength: 1, maxLength: 200 }), fc.nat(), (keys, seed) => {
        const idx = new Ip4Index(8); // grows several times on the way
        keys.forEach((k, i) => idx.set(k, i));
        const order = keys.map((k, i) => [k, i, (i * 2654435761 + seed) % 1000] as const).sort((a, b) => a[2] - b[2]);
        let left = keys.length;
        for (const [k, i] of order) {
          expect(idx.deleteIf(k, i + 1)).toBe(false);
          expect(idx.deleteIf(k, i)).toBe(true);
          left--;
          expect(idx.size).toBe(left);
          expect(idx.get(k)).toBe(-1);
        }
        for (let i = 0; i < keys.length; i++) expect(idx.get(keys[i]!)).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('keys', () => {
  it('MAC text, number and bytes round-trip', () => {
    expect(macToString(macToNumber('FF:ff:00:01:02:0a'))).toBe('ff:ff:00:01:02:0a');
    const b = Buffer.alloc(8);
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (mac) => {
      macToBytes(mac, b, 1);
      expect(macFromBytes(b, 1)).toBe(mac);
      expect(macToNumber(macToString(mac))).toBe(mac);
      const text = macToString(mac);
      expect(macToNumber(text.toUpperCase())).toBe(mac);
      expect(macToNumber(text.replaceAll(':', '-'))).toBe(mac);
      expect(macToNumber(text.replaceAll(':', ''))).toBe(mac);
      expect(() => macToNumber(`${text.slice(0, 15)}:g`)).toThrow(TypeError);
    }));
    expect(() => macToNumber('00:11:22:33:44')).toThrow(TypeError);
    expect(() => macToNumber('00:11:22:33:44:5g')).toThrow(TypeError);
  });
  it('IP keys: IPv4 numbers, IPv6 16-byte strings, order keys sort like addresses', () => {
    expect(ipToKey('10.0.0.1')).toBe(0x0a000001);
    expect(ipKeyToString(ipToKey('2001:db8::1'))).toBe('2001:db8::1');
    expect(ipKeyToString(ipToKey('::ffff:1.2.3.4'))).toBe('::ffff:1.2.3.4') // RFC 5952 5: mixed notation, as every printer of src/net;
    expect((ipToKey('fe80::') as string).length).toBe(16);
    expect(() => ipToKey('1.2.3.256')).toThrow(TypeError);
    expect(ipOrderKey('10.0.0.9') < ipOrderKey('10.0.0.10')).toBe(true);
    expect(ipOrderKey('9.255.255.255') < ipOrderKey('10.0.0.0')).toBe(true);
    expect(ipOrderKey('255.0.0.0') < ipOrderKey('::1')).toBe(true);
  });
});

describe('mobility decisions', () => {
  it('sticky beats sequence, sequence beats address, lowest address breaks ties', () => {
    const lo = ipOrderKey('10.0.0.1');
    const hi = ipOrderKey('10.0.0.2');
    expect(beats(true, 0, hi, false, 9, lo)).toBe(true);
    expect(beats(false, 2, hi, false, 1, lo)).toBe(true);
    expect(beats(false, 1, hi, false, 1, lo)).toBe(false);
    expect(beats(false, 1, lo, false, 1, hi)).toBe(true);
    expect(nextSequence(-1)).toBe(0);
    expect(nextSequence(4)).toBe(5);
    expect(nextSequence(0xffffffff)).toBe(0xffffffff);
    expect(() => resolveMobility({ duplicateMoves: 0 })).toThrow(RangeError);
  });
});

describe('VniTable: remote routes', () => {
  it('installs a MAC/IP route: MAC -> VTEP, IP -> MAC; withdraw removes both', () => {
    const { t, events, vtep, rd } = setup();
    const v1 = vtep('10.0.0.1');
    const r1 = rd('10.0.0.1:100');
    t.installRemote(M1, IP1, r1, v1, 0, false);
    expect(t.location(M1)).toBe(v1);
    expect(t.resolve(IP1)).toBe(M1);
    expect(events).toEqual([
      ['bind', '192.168.1.10', '00:11:22:33:44:55', '-'],
      ['mac', '00:11:22:33:44:55', -1, v1, 0],
    ]);
    events.length = 0;
    expect(t.uninstallRemote(M1, IP1, r1)).toBe(true);
    expect(t.location(M1)).toBe(-1);
    expect(t.resolve(IP1)).toBe(-1);
    expect(t.size).toBe(0);
    expect(events).toEqual([
      ['bind', '192.168.1.10', '-', '00:11:22:33:44:55'],
      ['mac', '00:11:22:33:44:55', v1, -1, 0],
    ]);
    expect(t.uninstallRemote(M1, IP1, r1)).toBe(false);
  });

  it('MAC-only and MAC/IP routes of one RD each hold the MAC; re-installing is idempotent', () => {
    const { t, vtep, rd } = setup();
    const v1 = vtep('10.0.0.1');
    const r1 = rd('a');
    const ip6 = ipToKey('2001:db8::10');
    t.installRemote(M1, undefined, r1, v1, 0, false);
    t.installRemote(M1, IP1, r1, v1, 0, false);
    t.installRemote(M1, IP1, r1, v1, 0, false);
    t.installRemote(M1, ip6, r1, v1, 0, false);
    expect(t.resolve(ip6)).toBe(M1);
    expect(t.uninstallRemote(M1, IP1, r1)).toBe(true);
    expect(t.location(M1)).toBe(v1);
    expect(t.uninstallRemote(M1, undefined, r1)).toBe(true);
    expect(t.location(M1)).toBe(v1);
    expect(t.uninstallRemote(M1, ip6, r1)).toBe(true);
    expect(t.location(M1)).toBe(-1);
    expect(t.size).toBe(0);
  });

  it('highest sequence wins among remote routes; ties go to the lowest VTEP IP', () => {
    const { t, vtep, rd } = setup('10.0.0.9');
    const va = vtep('10.0.0.5');
    const vb = vtep('10.0.0.3');
    t.installRemote(M1, undefined, rd('a'), va, 1, false);
    t.installRemote(M1, undefined, rd('b'), vb, 0, false);
    expect(t.location(M1)).toBe(va);
    t.installRemote(M1, undefined, rd('b'), vb, 1, false);
    expect(t.location(M1)).toBe(vb); // tie: 10.0.0.3 < 10.0.0.5
    t.uninstallRemote(M1, undefined, rd('b'));
    expect(t.location(M1)).toBe(va);
  });

  it('an IP bound by a newer route survives the withdraw of the older one', () => {
    const { t, vtep, rd } = setup();
    const m2 = macToNumber('00:00:00:00:00:02');
    t.installRemote(M1, IP1, rd('a'), vtep('10.0.0.1'), 0, false);
    t.installRemote(m2, IP1, rd('b'), vtep('10.0.0.3'), 0, false);
    expect(t.resolve(IP1)).toBe(m2);
    t.uninstallRemote(M1, IP1, rd('a'));
    expect(t.resolve(IP1)).toBe(m2);
    expect(t.location(M1)).toBe(-1);
  });

  it('flood list: one entry per remote VTEP, reported only when the set changes', () => {
    const { t, events, vtep, rd } = setup();
    const v1 = vtep('10.0.0.1');
    const v3 = vtep('10.0.0.3');
    t.addFlood(rd('a'), v1);
    t.addFlood(rd('a'), v1);
    t.addFlood(rd('a2'), v1);
    t.addFlood(rd('b'), v3);
    expect(t.floodList().sort()).toEqual([v1, v3]);
    t.removeFlood(rd('a'));
    t.removeFlood(rd('a2'));
    expect(t.floodList()).toEqual([v3]);
    expect(t.removeFlood(rd('a'))).toBe(false);
    expect(events).toEqual([['flood', [v1]], ['flood', [v1, v3]], ['flood', [v3]]]);
  });
});

describe('VniTable: local MACs and mobility (RFC 7432 15)', () => {
  it('a local learn of a remote MAC raises the sequence and takes the MAC', () => {
    const { t, events, vtep, rd } = setup();
    const v1 = vtep('10.0.0.1');
    t.installRemote(M1, IP1, rd('a'), v1, 3, false);
    events.length = 0;
    expect(t.learnLocal(M1, 7)).toBe('moved');
    expect(t.localRoute(M1)).toEqual({ seq: 4, static: false, port: 7 });
    expect(t.location(M1)).toBe(0);
    expect(events).toEqual([['mac', '00:11:22:33:44:55', v1, 0, 4]]);
    expect(t.learnLocal(M1, 7)).toBe('refresh');
    expect(t.learnLocal(M1, 8)).toBe('port-move');
    expect(events.at(-1)).toEqual(['port', '00:11:22:33:44:55', 8]);
  });

  it('a new local MAC starts at sequence 0', () => {
    const { t } = setup();
    expect(t.learnLocal(M1, 1)).toBe('new');
    expect(t.localRoute(M1)?.seq).toBe(0);
    expect(t.localCount).toBe(1);
  });

  it('a remote route with a higher sequence evicts the local entry and its IPs', () => {
    const { t, events, vtep, rd } = setup();
    t.learnLocal(M1, 1);
    t.addLocalIp(M1, IP1);
    const v1 = vtep('10.0.0.1');
    events.length = 0;
    t.installRemote(M1, undefined, rd('a'), v1, 1, false);
    expect(t.location(M1)).toBe(v1);
    expect(t.localRoute(M1)).toBeUndefined();
    expect(t.localCount).toBe(0);
    expect(t.resolve(IP1)).toBe(-1);
    expect(events).toContainEqual(['mac', '00:11:22:33:44:55', 0, v1, 1]);
  });

  it('equal sequences: the lowest VTEP IP wins against the local entry, either way', () => {
    const a = setup('10.0.0.2');
    a.t.learnLocal(M1, 1);
    a.t.installRemote(M1, undefined, a.rd('x'), a.vtep('10.0.0.3'), 0, false);
    expect(a.t.location(M1)).toBe(0); // we are lower
    const b = setup('10.0.0.2');
    b.t.learnLocal(M1, 1);
    const v1 = b.vtep('10.0.0.1');
    b.t.installRemote(M1, undefined, b.rd('x'), v1, 0, false);
    expect(b.t.location(M1)).toBe(v1); // they are lower
  });

  it('a lower sequence does not evict the local entry', () => {
    const { t, vtep, rd } = setup();
    t.installRemote(M1, undefined, rd('a'), vtep('10.0.0.1'), 4, false);
    t.learnLocal(M1, 1); // seq 5
    t.installRemote(M1, undefined, rd('a'), vtep('10.0.0.1'), 4, false);
    expect(t.location(M1)).toBe(0);
  });

  it('sticky MACs never move: a local learn against a sticky route is refused, a static local MAC stays', () => {
    const a = setup();
    const v1 = a.vtep('10.0.0.1');
    a.t.installRemote(M1, undefined, a.rd('x'), v1, 0, true);
    expect(a.t.learnLocal(M1, 1)).toBe('sticky');
    expect(a.t.location(M1)).toBe(v1);
    const b = setup();
    b.t.learnLocal(M1, 1, true);
    b.t.installRemote(M1, undefined, b.rd('x'), b.vtep('10.0.0.1'), 9, false);
    expect(b.t.location(M1)).toBe(0);
    expect(b.t.localRoute(M1)).toEqual({ seq: 0, static: true, port: 1 });
  });

  it('five moves within the window freeze the MAC and report it once', () => {
    const { t, events, vtep, rd, advance } = setup();
    const v1 = vtep('10.0.0.1');
    const r = rd('a');
    let seq = 0;
    t.installRemote(M1, undefined, r, v1, seq, false);
    // moves: v1 -> local, local -> v1, ... ; each 10 s apart
    for (let i = 0; i < 5; i++) {
      advance(10_000);
      if (i % 2 === 0) { t.learnLocal(M1, 1); seq = t.localRoute(M1)!.seq; }
      else t.installRemote(M1, undefined, r, v1, ++seq, false);
    }
    const dups = events.filter((e) => e[0] === 'dup');
    expect(dups).toEqual([['dup', '00:11:22:33:44:55', 0, 5]]);
    expect(t.lookup(M1)?.frozen).toBe(true);
    // frozen: a higher sequence from v1 no longer moves it, nor does a local learn elsewhere
    t.installRemote(M1, undefined, r, v1, 100, false);
    expect(t.location(M1)).toBe(0);
    // corrective action lifts the freeze and the best route wins again
    expect(t.clearDuplicate(M1)).toBe(true);
    expect(t.location(M1)).toBe(v1);
  });

  it('moves spread wider than the window are not duplicates; the count is configurable', () => {
    const a = setup();
    const v1 = a.vtep('10.0.0.1');
    let seq = 0;
    for (let i = 0; i < 8; i++) {
      a.advance(60_000);
      if (i % 2 === 0) { a.t.learnLocal(M1, 1); seq = a.t.localRoute(M1)!.seq; }
      else a.t.installRemote(M1, undefined, a.rd('a'), v1, ++seq, false);
    }
    // 3 moves per 180 s window at most: never 5
    expect(a.events.some((e) => e[0] === 'dup')).toBe(false);
    const b = setup('10.0.0.2', { duplicateMoves: 2, duplicateWindowMs: 1000 });
    b.t.installRemote(M1, undefined, b.rd('a'), b.vtep('10.0.0.1'), 0, false);
    b.t.learnLocal(M1, 1);
    b.t.installRemote(M1, undefined, b.rd('a'), b.vtep('10.0.0.1'), 2, false);
    expect(b.events.filter((e) => e[0] === 'dup')).toHaveLength(1);
  });

  it('ages out local non-static MACs', () => {
    const { t, advance } = setup();
    const m2 = macToNumber('00:00:00:00:00:02');
    t.learnLocal(M1, 1);
    t.learnLocal(m2, 1, true);
    advance(200_000);
    expect(t.ageLocal(300_000)).toEqual([]);
    advance(200_000);
    expect(t.ageLocal(300_000)).toEqual([M1]);
    expect(t.location(M1)).toBe(-1);
    expect(t.location(m2)).toBe(0);
  });
});

describe('VniTable against a naive model', () => {
  it('the winner is always the best candidate (random install/withdraw/learn)', () => {
    const vtepIps = ['10.0.0.1', '10.0.0.3', '10.0.0.4'];
    const op = fc.oneof(
      fc.record({ k: fc.constant('install' as const), v: fc.nat(2), seq: fc.nat(3), ip: fc.option(fc.nat(2), { nil: undefined }) }),
      fc.record({ k: fc.constant('withdraw' as const), v: fc.nat(2), ip: fc.option(fc.nat(2), { nil: undefined }) }),
      fc.record({ k: fc.constant('learn' as const) }),
      fc.record({ k: fc.constant('unlearn' as const) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const s = setup('10.0.0.2', { freeze: false });
      const routes = new Map<string, { v: number; seq: number }>(); // key v/ip
      let local: number | undefined; // local seq
      const ipKey = (i: number | undefined): IpKey | undefined => (i === undefined ? undefined : i === 2 ? ipToKey('2001:db8::1') : 0x0a000000 + i);
      for (const o of ops) {
        if (o.k === 'install') {
          s.t.installRemote(M1, ipKey(o.ip), s.rd(`rd${o.v}`), s.vtep(vtepIps[o.v]!), o.seq, false);
          for (const [k, r] of routes) if (k.startsWith(`${o.v}/`)) r.seq = o.seq; // one RD, one sequence
          routes.set(`${o.v}/${o.ip}`, { v: o.v, seq: o.seq });
        } else if (o.k === 'withdraw') {
          expect(s.t.uninstallRemote(M1, ipKey(o.ip), s.rd(`rd${o.v}`))).toBe(routes.delete(`${o.v}/${o.ip}`));
        } else if (o.k === 'learn') {
          if (local === undefined) {
            const hi = Math.max(-1, ...[...routes.values()].map((r) => r.seq));
            local = hi + 1;
          }
          s.t.learnLocal(M1, 1);
        } else if (local !== undefined) {
          expect(s.t.removeLocal(M1)).toBe(true);
          local = undefined;
        }
        // model decision
        let best = local === undefined ? -1 : 0;
        let bestSeq = local ?? 0;
        let bestIp = '10.0.0.2';
        for (const r of routes.values()) {
          const ip = vtepIps[r.v]!;
          if (best < 0 || r.seq > bestSeq || (r.seq === bestSeq && ipOrderKey(ip) < ipOrderKey(bestIp))) {
            best = s.vtep(ip); bestSeq = r.seq; bestIp = ip;
          }
        }
        if (local !== undefined && best !== 0) local = undefined; // evicted
        expect(s.t.location(M1)).toBe(best);
        if (best >= 0) expect(s.t.lookup(M1)?.seq).toBe(bestSeq);
      }
    }), { numRuns: 300 });
  });
});

describe('VniTable sized up front (expectedMacs)', () => {
  it('holds exactly what an unsized table holds, also beyond the hint; the indexes do not double up to it', () => {
    const tables = new VtepTables('10.0.0.2', resolveMobility(undefined), recorder().observer, () => 0);
    const sized = tables.addVni(100, { expectedMacs: 3000 });
    const plain = tables.addVni(200);
    const vtep = tables.vteps.intern('10.0.0.9');
    const rd = tables.rds.intern('10.0.0.9:1');
    const mac = (i: number) => 0x020000000000 + i * 7919 * 65537;
    const idx = new Ip4Index(3000);
    const bytes = idx.byteLength;
    for (let i = 0; i < 3000; i++) idx.set(0x0a000000 + i, i);
    expect(idx.byteLength).toBe(bytes);
    for (let i = 0; i < 5000; i++) {
      for (const t of [sized, plain]) t.installRemote(mac(i), 0x0a000000 + i, rd, vtep, i % 7, false);
    }
    expect(sized.size).toBe(5000);
    for (let i = 0; i < 5000; i += 37) {
      expect(sized.location(mac(i))).toBe(plain.location(mac(i)));
      expect(sized.lookup(mac(i))?.seq).toBe(i % 7);
      expect(sized.resolve(0x0a000000 + i)).toBe(mac(i));
    }
    for (let i = 0; i < 5000; i += 2) expect(sized.uninstallRemote(mac(i), 0x0a000000 + i, rd)).toBe(true);
    expect(sized.size).toBe(2500);
    expect(sized.location(mac(2))).toBe(-1);
    expect(sized.location(mac(3))).toBe(vtep);
    expect(() => tables.addVni(300, { expectedMacs: -1 })).toThrow(RangeError);
  });
});

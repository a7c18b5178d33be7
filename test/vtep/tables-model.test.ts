/**
 * Model-based test of `VniTable` (through `VtepTables`) with several MACs at once: random
 * sequences of remote installs/withdrawals, local learns/removals and local IPs, with an
 * occasional "withdraw everything" so freed slots (the table's free list) and emptied IPv4
 * blocks get reused, checked after every step against a small reference model.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ipOrderKey, ipToKey, macToNumber, type IpKey } from '../../src/vtep/keys.js';
import { resolveMobility } from '../../src/vtep/mobility.js';
import { VtepTables } from '../../src/vtep/tables.js';
import { quietObserver } from '../../src/vtep/vni.js';
import { macHash } from '../../src/vtep/mac-index.js';

const SELF = '10.0.0.2';
/** One RD per VTEP: RD i always carries next hop VTEP_IPS[i] (one below us, two above). */
const VTEP_IPS = ['10.0.0.1', '10.0.0.3', '10.0.0.20'] as const;
const RD_NAMES = ['10.0.0.1:100', '10.0.0.3:100', '10.0.0.20:100'] as const;
/**
 * Four MACs that crowd one spot of the MAC index whatever its size: two hash to the very top
 * (the last cell) and two to the very bottom (the first cell), so they form one probe run that
 * wraps around the end, and removals shift entries back across it.
 */
const MACS: number[] = (() => {
  const top: number[] = [];
  const bottom: number[] = [];
  for (let i = 1; top.length < 2 || bottom.length < 2; i++) {
    const mac = 0x02_00_00_00_00_00 + i;
    const h = macHash(mac) >>> 0;
    if (h >= 0xffc00000 && top.length < 2) top.push(mac);
    else if (h < 0x00400000 && bottom.length < 2) bottom.push(mac);
  }
  return [top[0]!, bottom[0]!, top[1]!, bottom[1]!];
})();
/** Neighbours in one IPv4 block, a far IPv4 address and an IPv6 address (never in the compact columns). */
const IP_TEXTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.7.9', '2001:db8::7'] as const;
const IPS: IpKey[] = IP_TEXTS.map(ipToKey);

// ------------------------------------------------------------------ the reference model

interface RdRoutes {
  seq: number;
  macOnly: boolean;
  /** Indexes into IPS. */
  ips: Set<number>;
}
interface MacState {
  /** By RD index (0..2). */
  rds: Map<number, RdRoutes>;
  local?: { seq: number; port: number; ips: Set<number> };
}

class Model {
  readonly macs: MacState[] = MACS.map(() => ({ rds: new Map<number, RdRoutes>() }));
  /** IP index -> MAC index. */
  readonly bindings = new Map<number, number>();

  constructor(private readonly vtepIndex: readonly number[]) {}

  /** The winner: highest sequence, then lowest VTEP IP (we are SELF); undefined when nothing. */
  winner(m: number): { loc: number; seq: number } | undefined {
    const st = this.macs[m]!;
    let best: { loc: number; seq: number; order: string } | undefined;
    if (st.local !== undefined) best = { loc: 0, seq: st.local.seq, order: ipOrderKey(SELF) };
    for (const [rd, r] of st.rds) {
      const order = ipOrderKey(VTEP_IPS[rd]!);
      if (best === undefined || r.seq > best.seq || (r.seq === best.seq && order < best.order)) {
        best = { loc: this.vtepIndex[rd]!, seq: r.seq, order };
      }
    }
    return best;
  }

  location(m: number): number {
    return this.winner(m)?.loc ?? -1;
  }

  /** Whether a route (any RD) or the local entry of MAC m still carries IP i. */
  carries(m: number, i: number): boolean {
    const st = this.macs[m]!;
    for (const r of st.rds.values()) if (r.ips.has(i)) return true;
    return st.local?.ips.has(i) === true;
  }

  bind(i: number, m: number): void {
    this.bindings.set(i, m);
  }

  unbind(i: number, m: number): void {
    if (this.bindings.get(i) === m && !this.carries(m, i)) this.bindings.delete(i);
  }

  /** A remote winner evicts the local entry and its IPs. */
  decide(m: number): void {
    const st = this.macs[m]!;
    const w = this.winner(m);
    if (st.local !== undefined && w !== undefined && w.loc !== 0) {
      const ips = st.local.ips;
      st.local = undefined;
      for (const i of ips) this.unbind(i, m);
    }
  }

  install(m: number, ip: number | undefined, rd: number, seq: number): void {
    const st = this.macs[m]!;
    let r = st.rds.get(rd);
    if (r === undefined) st.rds.set(rd, (r = { seq, macOnly: false, ips: new Set() }));
    r.seq = seq; // one RD, one sequence for the MAC
    if (ip === undefined) r.macOnly = true;
    else r.ips.add(ip);
    if (ip !== undefined) this.bind(ip, m);
    this.decide(m);
  }

  uninstall(m: number, ip: number | undefined, rd: number): boolean {
    const st = this.macs[m]!;
    const r = st.rds.get(rd);
    if (r === undefined) return false;
    if (ip === undefined) {
      if (!r.macOnly) return false;
      r.macOnly = false;
    } else if (!r.ips.delete(ip)) return false;
    if (!r.macOnly && r.ips.size === 0) st.rds.delete(rd);
    if (ip !== undefined) this.unbind(ip, m);
    this.decide(m);
    return true;
  }

  learn(m: number, port: number): 'new' | 'moved' | 'refresh' | 'port-move' {
    const st = this.macs[m]!;
    if (st.local !== undefined) {
      if (st.local.port === port) return 'refresh';
      st.local.port = port;
      return 'port-move';
    }
    let highest = -1;
    for (const r of st.rds.values()) highest = Math.max(highest, r.seq);
    st.local = { seq: highest + 1, port, ips: new Set() };
    this.decide(m);
    return highest >= 0 ? 'moved' : 'new';
  }

  removeLocal(m: number): boolean {
    const st = this.macs[m]!;
    if (st.local === undefined) return false;
    const ips = st.local.ips;
    st.local = undefined;
    for (const i of ips) this.unbind(i, m);
    this.decide(m);
    return true;
  }

  addLocalIp(m: number, i: number): boolean {
    const st = this.macs[m]!;
    if (st.local === undefined) return false;
    st.local.ips.add(i);
    this.bind(i, m);
    return true;
  }

  removeLocalIp(m: number, i: number): boolean {
    const st = this.macs[m]!;
    if (st.local === undefined || !st.local.ips.delete(i)) return false;
    this.unbind(i, m);
    return true;
  }

  /** Every route the model holds, as [mac, ip, rd]. */
  routes(): Array<[number, number | undefined, number]> {
    const out: Array<[number, number | undefined, number]> = [];
    this.macs.forEach((st, m) => {
      for (const [rd, r] of st.rds) {
        if (r.macOnly) out.push([m, undefined, rd]);
        for (const i of r.ips) out.push([m, i, rd]);
      }
    });
    return out;
  }

  /** MACs with any state: routes, a local entry, or an IP bound to them. */
  size(): number {
    const bound = new Set(this.bindings.values());
    return this.macs.filter((st, m) => st.rds.size > 0 || st.local !== undefined || bound.has(m)).length;
  }
}

// ------------------------------------------------------------------ operations

type Op =
  | { k: 'install'; m: number; ip: number | undefined; rd: number; seq: number }
  | { k: 'uninstall'; m: number; ip: number | undefined; rd: number }
  /** Withdraw the n-th route the model holds (mod their number): withdrawals that hit. */
  | { k: 'uninstallHeld'; n: number }
  | { k: 'learn'; m: number; port: number }
  | { k: 'removeLocal'; m: number }
  | { k: 'addLocalIp'; m: number; ip: number }
  | { k: 'removeLocalIp'; m: number; ip: number }
  /** Uninstall every route the model holds and remove every local MAC (locals first or last). */
  | { k: 'withdrawAll'; localsFirst: boolean };

const mac = fc.nat(MACS.length - 1);
const ipIdx = fc.nat(IPS.length - 1);
const optIp = fc.option(ipIdx, { nil: undefined, freq: 3 });
const rdIdx = fc.nat(RD_NAMES.length - 1);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('install' as const), m: mac, ip: optIp, rd: rdIdx, seq: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('uninstall' as const), m: mac, ip: optIp, rd: rdIdx }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('uninstallHeld' as const), n: fc.nat(50) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('learn' as const), m: mac, port: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('removeLocal' as const), m: mac }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('addLocalIp' as const), m: mac, ip: ipIdx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('removeLocalIp' as const), m: mac, ip: ipIdx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('withdrawAll' as const), localsFirst: fc.boolean() }) },
);

// ------------------------------------------------------------------ the test

function setup() {
  const now = 1_000_000;
  const tables = new VtepTables(SELF, resolveMobility({ freeze: false }), quietObserver, () => now);
  const t = tables.addVni(100);
  const vteps = VTEP_IPS.map((a) => tables.vteps.intern(a));
  const rds = RD_NAMES.map((r) => tables.rds.intern(r));
  return { t, vteps, rds };
}

describe('VniTable against a reference model (several MACs, IP bindings, slot reuse)', () => {
  it('location, sequence, IP bindings and size follow the model through random operations', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120, size: 'max' }), (ops) => {
        const { t, vteps, rds } = setup();
        const model = new Model(vteps);

        const observed = () => ({
          location: MACS.map((m) => t.location(m)),
          seq: MACS.map((m) => t.lookup(m)?.seq),
          local: MACS.map((m) => t.localRoute(m)),
          localIps: MACS.map((m) => [...t.localIpsOf(m)].map((ip) => IPS.indexOf(ip)).sort()),
          resolve: IPS.map((ip) => t.resolve(ip)),
          size: t.size,
          localCount: t.localCount,
        });
        const expected = () => ({
          location: MACS.map((_, m) => model.location(m)),
          // a MAC with no state has no entry; a live one has its winner's sequence
          seq: MACS.map((_, m) => model.winner(m)?.seq),
          local: MACS.map((_, m) => {
            const l = model.macs[m]!.local;
            return l === undefined ? undefined : { seq: l.seq, static: false, port: l.port };
          }),
          localIps: MACS.map((_, m) => [...(model.macs[m]!.local?.ips ?? [])].sort()),
          resolve: IPS.map((_, i) => {
            const m = model.bindings.get(i);
            return m === undefined ? -1 : MACS[m]!;
          }),
          size: model.size(),
          localCount: model.macs.filter((st) => st.local !== undefined).length,
        });

        const withdrawAll = (localsFirst: boolean) => {
          const locals = () => MACS.forEach((m, i) => {
            if (model.macs[i]!.local !== undefined) {
              expect(t.removeLocal(m)).toBe(model.removeLocal(i));
            }
          });
          if (localsFirst) locals();
          for (const [m, ip, rd] of model.routes()) {
            expect(t.uninstallRemote(MACS[m]!, ip === undefined ? undefined : IPS[ip], rds[rd]!)).toBe(true);
            expect(model.uninstall(m, ip, rd)).toBe(true);
          }
          if (!localsFirst) locals();
        };

        ops.forEach((o, step) => {
          switch (o.k) {
            case 'install':
              t.installRemote(MACS[o.m]!, o.ip === undefined ? undefined : IPS[o.ip], rds[o.rd]!, vteps[o.rd]!, o.seq, false);
              model.install(o.m, o.ip, o.rd, o.seq);
              break;
            case 'uninstall': {
              const got = t.uninstallRemote(MACS[o.m]!, o.ip === undefined ? undefined : IPS[o.ip], rds[o.rd]!);
              expect(got, `step ${step}: uninstallRemote result`).toBe(model.uninstall(o.m, o.ip, o.rd));
              break;
            }
            case 'uninstallHeld': {
              const held = model.routes();
              if (held.length === 0) break;
              const [m, ip, rd] = held[o.n % held.length]!;
              const got = t.uninstallRemote(MACS[m]!, ip === undefined ? undefined : IPS[ip], rds[rd]!);
              expect(got, `step ${step}: uninstallRemote of a held route`).toBe(model.uninstall(m, ip, rd));
              break;
            }
            case 'learn':
              expect(t.learnLocal(MACS[o.m]!, o.port), `step ${step}: learnLocal result`).toBe(model.learn(o.m, o.port));
              break;
            case 'removeLocal':
              expect(t.removeLocal(MACS[o.m]!), `step ${step}: removeLocal result`).toBe(model.removeLocal(o.m));
              break;
            case 'addLocalIp':
              expect(t.addLocalIp(MACS[o.m]!, IPS[o.ip]!), `step ${step}: addLocalIp result`).toBe(model.addLocalIp(o.m, o.ip));
              break;
            case 'removeLocalIp':
              expect(t.removeLocalIp(MACS[o.m]!, IPS[o.ip]!), `step ${step}: removeLocalIp result`).toBe(model.removeLocalIp(o.m, o.ip));
              break;
            case 'withdrawAll':
              withdrawAll(o.localsFirst);
              expect(t.size, `step ${step}: size after withdrawing everything`).toBe(0);
              expect(model.bindings.size).toBe(0);
              break;
          }
          expect(observed(), `after step ${step}: ${JSON.stringify(o)}`).toEqual(expected());
        });

        // and finally everything goes: the table is empty again
        withdrawAll(ops.length % 2 === 0);
        expect(observed()).toEqual(expected());
        expect(t.size).toBe(0);
      }),
      { numRuns: 400 },
    );
  });
});

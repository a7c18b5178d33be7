/**
 * Messages captured from real GoBGP 3.10 and FRRouting 8.4 sessions (scripts/capture-vectors.ts,
 * tcpdump in network namespaces): each one decodes with our codec to the same fields tshark 4.0
 * decoded from the same bytes (field names mapped in test/interop/harness/compare.ts), and
 * encodes back to the exact bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/index.js';
import { canonicalLayout, compareMessage } from '../interop/harness/compare.js';
import { field, fieldAll, type TsharkNode } from '../interop/harness/tshark-fields.js';

interface Vector {
  readonly name: string;
  readonly flow: string;
  readonly source: string;
  readonly scenario: string;
  readonly hex: string;
  readonly tshark: TsharkNode;
}

interface VectorFile {
  readonly versions: Record<string, string>;
  readonly observed: Record<string, { frrFirstUpdateAfterEstablishedMs: number | null; endOfRibSentBy: string[] }>;
  readonly messages: readonly Vector[];
}

function load(name: string): VectorFile {
  return JSON.parse(readFileSync(new URL(`./captured/${name}.json`, import.meta.url), 'utf8')) as VectorFile;
}

const files = { gobgp: load('gobgp'), frr: load('frr') };
const all = [...files.gobgp.messages, ...files.frr.messages];

/** Every node of a tshark tree, depth first. */
function* nodes(n: TsharkNode): Generator<TsharkNode> {
  yield n;
  for (const g of ['capabilities', 'attributes', 'evpn', 'extCommunities', 'segments', 'communities', 'largeCommunities', 'prefixes'] as const) {
    for (const c of n[g] ?? []) yield* nodes(c);
  }
}

describe('captured vectors: the set is complete', () => {
  it('holds messages from both peers, both scenarios', () => {
    expect(files.gobgp.messages.every((m) => m.source === 'gobgp 3.10')).toBe(true);
    expect(files.frr.messages.every((m) => m.source === 'frr 8.4')).toBe(true);
    for (const f of [files.gobgp, files.frr]) {
      const scenarios = ['ibgp', 'ebgp4', 'gr', 'rr', 'ipv6'];
      expect(new Set(f.messages.map((m) => m.scenario))).toEqual(new Set(scenarios));
      for (const s of scenarios) expect(f.messages.some((m) => m.scenario === s && m.name.endsWith(' open'))).toBe(true);
    }
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
  });

  it('covers every EVPN route type, withdrawals, and the attributes issue 2 and 3 name', () => {
    const seen = new Set<string>();
    for (const m of all) {
      for (const n of nodes(m.tshark)) {
        const rt = field(n, 'bgp.evpn.nlri.rt');
        if (rt !== undefined) seen.add(`evpn-t${rt}`);
        const code = field(n, 'bgp.update.path_attribute.type_code');
        if (code !== undefined) seen.add(`attr-${code}`);
        if (field(n, 'bgp.ext_com_evpn.mmac.seq') !== undefined) seen.add('mac-mobility');
        if (field(n, 'bgp.ext_com_evpn.mmac.flags.sticky') === '1') seen.add('sticky');
        if (field(n, 'bgp.ext_com.stype_tr_opaque') === '0x0d') seen.add('default-gateway');
        if (field(n, 'bgp.ext_com.stype_tr_evpn') === '0x02') seen.add('es-import-rt');
        const esiType = field(n, 'bgp.evpn.nlri.esi.type');
        if (esiType !== undefined) seen.add(`esi-type-${esiType}`);
        if (field(n, 'bgp.ext_com_evpn.esi.router_mac') !== undefined) seen.add('routers-mac');
        if (field(n, 'bgp.ext_com_l2.esi_label_flag') !== undefined) seen.add('esi-label');
        if (field(n, 'bgp.update.path_attribute.as_path_segment.as4') !== undefined) seen.add('as4-segment');
        if (field(n, 'bgp.evpn.nlri.ipv6.addr') !== undefined) seen.add('evpn-ipv6');
        if (field(n, 'bgp.evpn.nlri.mpls_ls2') !== undefined) seen.add('label2');
        if (n.fields['bgp.prefix.parent'] === 'bgp.update.withdrawn_routes') seen.add('ipv4-withdrawn');
        if (fieldAll(n, 'bgp.cap.gr.afi').length > 0) seen.add('gr-families');
        if (field(n, 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6') !== undefined) seen.add('ipv6-next-hop');
      }
      const t = field(m.tshark, 'bgp.type');
      seen.add(`type-${t}`);
      if (field(m.tshark, 'bgp.notify.communication') !== undefined) seen.add('shutdown-communication');
      if (field(m.tshark, 'bgp.notify.major_error') === '3') seen.add('update-error-notification');
      if (m.flow.includes('2001:db8:18::')) seen.add('ipv6-transport');
      if (/ update-eor-(ipv4|evpn)$/.test(m.name)) seen.add(m.name.slice(m.name.lastIndexOf('-eor') + 1));
    }
    const want = [
      'evpn-t1', 'evpn-t2', 'evpn-t3', 'evpn-t4', 'evpn-t5', 'evpn-ipv6', 'label2',
      'attr-1', 'attr-2', 'attr-3', 'attr-4', 'attr-5', 'attr-6', 'attr-7', 'attr-8', 'attr-9', 'attr-10', 'attr-14', 'attr-15',
      'attr-16', 'attr-22', 'attr-32',
      'mac-mobility', 'sticky', 'default-gateway', 'es-import-rt', 'routers-mac',
      'esi-type-0', 'esi-type-1', 'esi-type-2', 'esi-type-3', 'esi-type-4', 'esi-type-5', 'esi-label', 'as4-segment', 'ipv4-withdrawn', 'gr-families', 'eor-ipv4', 'eor-evpn',
      'ipv6-transport', 'ipv6-next-hop', 'update-error-notification',
      'type-1', 'type-2', 'type-3', 'type-4', 'type-5', 'shutdown-communication',
    ];
    expect(want.filter((w) => !seen.has(w))).toEqual([]);
  });

  it('records the peer quirks the harness documents', () => {
    for (const f of [files.gobgp, files.frr]) {
      // neither peer sends End-of-RIB without graceful restart; both do with it
      expect(f.observed.ibgp?.endOfRibSentBy).toEqual([]);
      expect(f.observed.ebgp4?.endOfRibSentBy).toEqual([]);
      expect(f.observed.rr?.endOfRibSentBy).toEqual([]);
      expect(f.observed.gr?.endOfRibSentBy.length).toBe(2);
      // FRR's first UPDATE leaves about 1 s after Established
      const d = f.observed.ibgp?.frrFirstUpdateAfterEstablishedMs ?? 0;
      expect(d).toBeGreaterThan(700);
      expect(d).toBeLessThan(3000);
    }
  });
});

describe('the comparison itself', () => {
  const t2 = all.find((m) => m.source === 'frr 8.4' && m.name.includes('update-evpn-t2'))!;

  it('agrees on an untouched vector and counts its checks', () => {
    const r = compareMessage(t2.hex, t2.tshark);
    expect(r.mismatches).toEqual([]);
    expect(r.checks.length).toBeGreaterThan(20);
  });

  it('catches a tshark field that disagrees (MAC, label, RD, next hop)', () => {
    const edits: [string, string][] = [
      ['bgp.evpn.nlri.mac_addr', '02:00:00:00:00:99'],
      ['bgp.evpn.nlri.rd', '00:00:fd:e8:00:00:00:01'],
      ['bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4', '198.19.0.99'],
    ];
    for (const [k, v] of edits) {
      const t = JSON.parse(JSON.stringify(t2.tshark)) as TsharkNode;
      let hit = 0;
      for (const n of nodes(t)) {
        if (n.fields[k] !== undefined) {
          n.fields[k] = v;
          hit++;
        }
      }
      expect(hit).toBeGreaterThan(0);
      expect(compareMessage(t2.hex, t).mismatches.map((x) => x.path).length).toBeGreaterThan(0);
    }
  });

  it('canonicalLayout changes FRR layouts only in the two documented ways, GoBGP not at all', () => {
    const frr = new Set(files.frr.messages.flatMap((m) => canonicalLayout(m.hex).changes));
    expect(frr).toEqual(new Set(['attribute-extended-length', 'capabilities-one-per-parameter']));
    expect(files.gobgp.messages.flatMap((m) => canonicalLayout(m.hex).changes)).toEqual([]);
  });
});

describe('VXLAN label fields on the wire', () => {
  /** The raw 3-byte Label1 of every Type-2 a source sent with label 100 / VNI 100. */
  function label1s(source: string): { raw: string; mpls: string[]; vni: string[] }[] {
    const out = [];
    for (const m of all.filter((x) => x.source === source)) {
      for (const n of nodes(m.tshark)) {
        if (field(n, 'bgp.evpn.nlri.rt') !== '2' || n.raw === undefined) continue;
        // route type, length, RD 8, ESI 10, tag 4, MAC len 1, MAC 6, IP len 1, IP, label1 3
        const ipLen = Number(field(n, 'bgp.evpn.nlri.iplen')) / 8;
        const at = 2 + 8 + 10 + 4 + 1 + 6 + 1 + ipLen;
        out.push({ raw: n.raw.slice(at * 2, at * 2 + 6), mpls: fieldAll(n, 'bgp.evpn.nlri.mpls_ls1'), vni: fieldAll(n, 'bgp.evpn.nlri.vni') });
      }
    }
    return out;
  }

  it('GoBGP (`label 100`, encap vxlan) sends 00 00 64: the VNI in all 24 bits; tshark shows MPLS label 6', () => {
    const l = label1s('gobgp 3.10').filter((x) => x.raw === '000064');
    expect(l.length).toBeGreaterThan(3);
    for (const x of l) expect(x.mpls.length > 0 ? x.mpls[0] : x.vni[0]).toBe(x.mpls.length > 0 ? '6' : '100');
    expect(label1s('gobgp 3.10').every((x) => x.raw === '000064' || x.raw === '000000')).toBe(true);
  });

  it('FRR (VNI 100 and 200) sends 00 00 64 and 00 00 c8: the VNI in all 24 bits as well', () => {
    const l = label1s('frr 8.4');
    expect(l.some((x) => x.raw === '000064')).toBe(true);
    expect(l.some((x) => x.raw === '0000c8')).toBe(true);
    // withdrawals carry a zero label
    expect(l.every((x) => ['000064', '0000c8', '000000'].includes(x.raw))).toBe(true);
  });
});

for (const [peer, f] of Object.entries(files)) {
  describe(`captured from ${peer} (${f.versions[peer] ?? '?'}, tshark ${f.versions.tshark ?? '?'})`, () => {
    for (const v of f.messages) {
      it(`${v.name}: decodes as tshark does, field by field, and re-encodes to the same bytes`, () => {
        const r = compareMessage(v.hex, v.tshark);
        expect(r.mismatches).toEqual([]);
        // something was compared beyond type and length (KEEPALIVE has nothing more; a
        // NOTIFICATION without data has code and subcode)
        expect(r.checks.length).toBeGreaterThanOrEqual({ keepalive: 2, notification: 4 }[r.decoded.type as string] ?? 5);
        // exact bytes, also for FRR's RFC-permitted layout choices (Extended Length bit on short
        // attributes, one capability per optional parameter): the decoded value records them
        expect(r.reencoded).toBe(v.hex);
        const canon = canonicalLayout(v.hex);
        if (v.source.startsWith('gobgp')) expect(canon.changes).toEqual([]);
        if (canon.changes.length > 0) {
          expect(canon.changes.every((c) => ['attribute-extended-length', 'capabilities-one-per-parameter'].includes(c))).toBe(true);
          // our own compact layout of the same message decodes to the same routes and attributes
          const compact = decodeMessage(Buffer.from(canon.hex, 'hex'));
          expect(withoutLayout(compact)).toEqual(withoutLayout(r.decoded));
        }
      });
    }
  });
}

/** A decoded message without the layout-only fields (Extended Length flag, OPEN parameter layout). */
function withoutLayout(m: unknown): unknown {
  return JSON.parse(JSON.stringify(m, (k, v: unknown) => {
    if (k === 'parameterLayout') return undefined;
    if (k === 'flags' && typeof v === 'number') return (v & 0x10) !== 0 && (v & 0x20) === 0 ? undefined : v & ~0x10;
    return v;
  }));
}

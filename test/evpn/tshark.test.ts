/**
 * The hand-made vectors, decoded by tshark's BGP dissector (offline: text2pcap writes a pcap
 * file, no traffic), compared field by field with our decoder. An independent reading of every
 * byte of test/vectors/evpn-handmade.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evpnNlri, rdBytes, type EvpnRoute } from '../../src/evpn/index.js';
import { missingReal } from '../helpers/netns.js';
import vectors from '../vectors/evpn-handmade.json' with { type: 'json' };

const why = missingReal(['tshark', 'text2pcap']);
const dir = mkdtempSync(join(tmpdir(), 'evpn-tshark-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An UPDATE with ORIGIN, AS_PATH and an EVPN MP_REACH (next hop 10.0.0.1) carrying `nlri`. */
function update(nlri: Buffer, communities: Buffer = Buffer.alloc(0)): Buffer {
  const reach = Buffer.concat([Buffer.from('001946040a00000100', 'hex'), nlri]);
  const ext = communities.length === 0 ? communities : Buffer.concat([Buffer.from([0xc0, 0x10, communities.length]), communities]);
  const attrs = Buffer.concat([Buffer.from('40010100400200', 'hex'), Buffer.from([0x90, 0x0e, reach.length >> 8, reach.length & 0xff]), reach, ext]);
  const body = Buffer.concat([Buffer.from([0, 0, attrs.length >> 8, attrs.length & 0xff]), attrs]);
  const head = Buffer.alloc(19, 0xff);
  head.writeUInt16BE(19 + body.length, 16);
  head[18] = 2;
  return Buffer.concat([head, body]);
}

/** tshark's JSON tree of each message (offline: a pcap file written by text2pcap). */
function tshark(messages: readonly Buffer[]): unknown[] {
  const text = messages.map((m) => `0000 ${[...m].map((b) => b.toString(16).padStart(2, '0')).join(' ')}\n`).join('\n');
  writeFileSync(join(dir, 'in.txt'), text);
  execFileSync('text2pcap', ['-q', '-T', '179,40000', join(dir, 'in.txt'), join(dir, 'v.pcap')], { timeout: 20_000 });
  const args = ['-r', join(dir, 'v.pcap'), '-T', 'json', '--no-duplicate-keys'];
  const json = execFileSync('tshark', args, { timeout: 30_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  return JSON.parse(json) as unknown[];
}

/** Every `bgp.evpn.nlri.*` leaf and the MPLS label value of each frame, by tshark. */
function tsharkFields(messages: readonly Buffer[]): Record<string, string>[] {
  return tshark(messages).map((f) => {
    const acc: Record<string, string> = {};
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o !== null && typeof o === 'object') {
        for (const [k, v] of Object.entries(o)) {
          if (typeof v === 'string' && (k.startsWith('bgp.evpn.nlri.') || k === 'bgp.update.path_attribute.mpls_label_value')) acc[k] = v;
          else walk(v);
        }
      }
    };
    walk(f);
    return acc;
  });
}

function colonHex(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** What tshark should show for one of our decoded routes. */
function expected(r: EvpnRoute, len: number): Record<string, string> {
  const out: Record<string, string> = { 'bgp.evpn.nlri.rt': String(r.routeType), 'bgp.evpn.nlri.len': String(len) };
  if ('raw' in r) return out;
  out['bgp.evpn.nlri.rd'] = colonHex(rdBytes(r.rd));
  const ip = (a: string): string => (a.includes(':') ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr');
  switch (r.routeType) {
    case 1:
      Object.assign(out, { 'bgp.evpn.nlri.esi': r.esi, 'bgp.evpn.nlri.etag': String(r.ethernetTag), 'bgp.evpn.nlri.mpls_ls1': String(r.label >> 4) });
      break;
    case 2:
      Object.assign(out, {
        'bgp.evpn.nlri.esi': r.esi,
        'bgp.evpn.nlri.etag': String(r.ethernetTag),
        'bgp.evpn.nlri.maclen': '48',
        'bgp.evpn.nlri.mac_addr': r.mac,
        'bgp.evpn.nlri.iplen': String(r.ip === undefined ? 0 : r.ip.includes(':') ? 128 : 32),
        // without an Encapsulation community tshark reads the label as MPLS: label = raw >> 4
        'bgp.evpn.nlri.mpls_ls1': String(r.label1 >> 4),
      });
      if (r.ip !== undefined) out[ip(r.ip)] = r.ip;
      if (r.label2 !== undefined) out['bgp.evpn.nlri.mpls_ls2'] = String(r.label2 >> 4);
      break;
    case 3:
      Object.assign(out, { 'bgp.evpn.nlri.etag': String(r.ethernetTag), 'bgp.evpn.nlri.iplen': r.originator.includes(':') ? '128' : '32', [ip(r.originator)]: r.originator });
      break;
    case 4:
      Object.assign(out, { 'bgp.evpn.nlri.esi': r.esi, 'bgp.evpn.nlri.iplen': r.originator.includes(':') ? '128' : '32', [ip(r.originator)]: r.originator });
      break;
    case 5: {
      const [addr, bits] = r.prefix.split('/') as [string, string];
      const v6 = addr.includes(':');
      Object.assign(out, {
        'bgp.evpn.nlri.esi': r.esi,
        'bgp.evpn.nlri.etag': String(r.ethernetTag),
        'bgp.evpn.nlri.prefix_len': bits,
        [v6 ? 'bgp.evpn.nlri.ipv6.addr' : 'bgp.evpn.nlri.ip.addr']: addr,
        [v6 ? 'bgp.evpn.nlri.ipv6.gtw_addr' : 'bgp.evpn.nlri.ipv4.gtw_addr']: r.gateway,
        // tshark shows the Type-5 label field whole (24 bits)
        'bgp.update.path_attribute.mpls_label_value': String(r.label),
      });
      break;
    }
  }
  return out;
}

describe.skipIf(why !== undefined)('hand-made vectors as tshark decodes them', () => {
  const nlri = vectors.nlri.map((v) => Buffer.from(v.hex, 'hex'));
  const fields = why === undefined ? tsharkFields(nlri.map((n) => update(n))) : [];
  vectors.nlri.forEach((v, i) => {
    it(v.name, () => {
      const bytes = nlri[i]!;
      const [route] = evpnNlri.decode(bytes, 0, bytes.length, false);
      const got = fields[i]!;
      const want = expected(route!, bytes[1]!);
      const shown: Record<string, string | undefined> = {};
      for (const k of Object.keys(want)) shown[k] = got[k];
      expect(shown).toEqual(want);
    });
  });
});

/** The first value under `key` anywhere in a tshark tree. */
function find(o: unknown, key: string): unknown {
  if (Array.isArray(o)) {
    for (const x of o) {
      const r = find(x, key);
      if (r !== undefined) return r;
    }
  } else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      if (k === key) return v;
      const r = find(v, key);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

describe.skipIf(why !== undefined)('hand-made community vectors as tshark decodes them', () => {
  it('MAC mobility, ESI label, ES-import RT, router MAC (tshark 4.0 shows ARP/ND and default gateway raw)', () => {
    const all = Buffer.concat(vectors.communities.map((c) => Buffer.from(c.hex, 'hex')));
    const [frame] = tshark([update(Buffer.from(vectors.nlri[4]!.hex, 'hex'), all)]);
    const list = find(frame, 'bgp.ext_community') as Record<string, unknown>[];
    expect(list).toHaveLength(vectors.communities.length);
    vectors.communities.forEach((c, i) => {
      const t = list[i]!;
      const v = c.value as Record<string, unknown>;
      const leaf = (k: string): unknown => find(t, k);
      expect(leaf('bgp.ext_com.type')).toBe(`0x${c.hex.slice(0, 2)}`);
      switch (v.kind) {
        case 'mac-mobility':
          expect([leaf('bgp.ext_com_evpn.mmac.seq'), leaf('bgp.ext_com_evpn.mmac.flags.sticky')]).toEqual([String(v.sequence), v.sticky ? '1' : '0']);
          break;
        case 'esi-label':
          expect([leaf('bgp.ext_com_l2.esi_label_flag'), leaf('bgp.update.path_attribute.mpls_label_value')]).toEqual([v.singleActive ? '1' : '0', String(v.label)]);
          break;
        case 'es-import-rt':
          expect(leaf('bgp.ext_com_evpn.esi.rt')).toBe(v.value);
          break;
        case 'routers-mac':
          expect(leaf('bgp.ext_com_evpn.esi.router_mac')).toBe(v.mac);
          break;
        default:
          // shown raw: the 8 bytes must be ours
          expect(leaf('bgp.ext_com.value_raw')).toBe(`0x0000${c.hex.slice(4)}`);
      }
    });
  });
});

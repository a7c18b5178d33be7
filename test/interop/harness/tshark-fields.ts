/**
 * tshark's decode of a BGP PDU, reduced to what a field-by-field test needs, under tshark's own
 * field names (so a test maps each one to ours explicitly and a reader can look them up in
 * Wireshark's display-filter reference).
 *
 * A `TsharkNode` is `{ raw?, fields, ...groups }`: `fields` holds every leaf tshark printed for
 * that node (`bgp.type`, `bgp.open.myas`, ...: one string, or an array when the field repeats),
 * `raw` the node's own bytes as hex when tshark gave them, and the repeated structures are split
 * out into groups so their fields do not mix:
 *
 * | group           | tshark subtree                             |
 * |-----------------|--------------------------------------------|
 * | capabilities    | `bgp.cap` (one per capability)             |
 * | attributes      | `bgp.update.path_attribute`                |
 * | evpn            | `bgp.evpn.nlri` (MP_REACH / MP_UNREACH)    |
 * | extCommunities  | `bgp.ext_community`                        |
 * | segments        | `bgp.update.path_attribute.as_path_segment`|
 * | communities     | `bgp.update.path_attribute.communities`... |
 * | prefixes        | IPv4/IPv6 prefixes (NLRI, withdrawn, MP)    |
 *
 * tshark 4.0 names worth knowing (EVPN): route type `bgp.evpn.nlri.rt`, RD as raw bytes
 * `bgp.evpn.nlri.rd`, `bgp.evpn.nlri.esi` (+ `.esi.type`), `bgp.evpn.nlri.etag`,
 * `bgp.evpn.nlri.maclen` / `mac_addr`, `bgp.evpn.nlri.iplen` / `ip.addr` / `ipv6.addr`,
 * labels `bgp.evpn.nlri.mpls_ls1` / `mpls_ls2` shown as MPLS labels (raw 24 bits >> 4),
 * the PMSI label as `bgp.evpn.nlri.vni` (all 24 bits), PMSI endpoint
 * `bgp.update.path_attribute.pmsi.ingress_rep_ip`, extended communities `bgp.ext_com.type` with
 * a sub-type field named per type (`stype_tr_as2`, `stype_tr_opaque`, `stype_tr_evpn`, ...).
 */
import { bgpMessages, tsharkBgp, type TsharkTree, type TsharkValue } from './capture.js';

export type Fields = Record<string, string | string[]>;

export interface TsharkNode {
  /** This node's bytes as hex, when tshark printed them. */
  raw?: string;
  fields: Fields;
  capabilities?: TsharkNode[];
  attributes?: TsharkNode[];
  evpn?: TsharkNode[];
  extCommunities?: TsharkNode[];
  segments?: TsharkNode[];
  communities?: TsharkNode[];
  largeCommunities?: TsharkNode[];
  prefixes?: TsharkNode[];
}

type GroupName = Exclude<keyof TsharkNode, 'raw' | 'fields'>;

/** tshark subtree name -> group. Order matters only for documentation. */
const groups: Record<string, GroupName> = {
  'bgp.cap': 'capabilities',
  'bgp.update.path_attribute': 'attributes',
  'bgp.evpn.nlri': 'evpn',
  'bgp.ext_community': 'extCommunities',
  'bgp.update.path_attribute.as_path_segment': 'segments',
  'bgp.update.path_attribute.as4_path_segment': 'segments',
  'bgp.update.path_attribute.community': 'communities',
  'bgp.large_communities': 'largeCommunities',
  'bgp.update.path_attribute.large_community': 'largeCommunities',
};

/** Subtrees whose children are prefixes (each child becomes one `prefixes` node). */
const prefixParents = new Set(['bgp.update.withdrawn_routes', 'bgp.update.nlri']);

/** Leaves we never store (noise, or bytes stored elsewhere). */
function skipped(key: string): boolean {
  return key.startsWith('_ws.') || key === 'bgp.marker';
}

function addField(f: Fields, k: string, v: string): void {
  const old = f[k];
  if (old === undefined) f[k] = v;
  else if (Array.isArray(old)) old.push(v);
  else f[k] = [old, v];
}

function rawHex(r: TsharkValue | undefined): string | undefined {
  return Array.isArray(r) && typeof r[0] === 'string' ? r[0] : undefined;
}

/** `v` as a list: tshark (with --no-duplicate-keys) gives one value, or an array when repeated. */
function many(v: TsharkValue | undefined, isRaw = false): (TsharkValue | undefined)[] {
  if (v === undefined) return [];
  if (isRaw) return Array.isArray(v) && Array.isArray(v[0]) ? [...v] : [v];
  return Array.isArray(v) ? [...v] : [v];
}

/**
 * A tshark field with children prints as `KEY` (its text), `KEY_raw` (its bytes) and `KEY_tree`
 * (the children). Pair the three, single or repeated.
 */
function triples(tree: TsharkTree, key: string): { raw: string | undefined; value: TsharkValue | undefined; sub: TsharkValue | undefined }[] {
  const vs = many(tree[key]);
  const rs = many(tree[`${key}_raw`], true);
  const ts = many(tree[`${key}_tree`]);
  const n = Math.max(vs.length, ts.length);
  const out = [];
  for (let i = 0; i < n; i++) out.push({ raw: rawHex(rs[i]), value: vs[i], sub: ts[i] });
  return out;
}

function walk(tree: TsharkTree, node: TsharkNode): void {
  for (const key of Object.keys(tree)) {
    if (key.endsWith('_raw') || skipped(key)) continue;
    if (key.endsWith('_tree')) {
      const base = key.slice(0, -5);
      if (groups[base] !== undefined || base in tree) continue; // handled with its base key
      for (const t of many(tree[key])) if (t !== undefined && typeof t === 'object' && !Array.isArray(t)) walk(t as TsharkTree, node);
      continue;
    }
    const g = groups[key];
    if (g !== undefined) {
      const list = (node[g] ??= []);
      for (const t of triples(tree, key)) list.push(toNode(key, t.value, t.raw, t.sub));
      continue;
    }
    if (prefixParents.has(key) && typeof tree[key] === 'object' && !Array.isArray(tree[key])) {
      const list = (node.prefixes ??= []);
      const sub = tree[key] as TsharkTree;
      for (const k of Object.keys(sub)) {
        if (k.endsWith('_raw') || skipped(k)) continue;
        for (const t of triples(sub, k)) {
          const n = toNode(k, t.value, t.raw, t.sub);
          n.fields['bgp.prefix.parent'] = key;
          list.push(n);
        }
      }
      continue;
    }
    for (const t of triples(tree, key)) {
      if (t.value !== undefined) leaf(node, key, t.value);
      if (t.sub !== undefined && typeof t.sub === 'object' && !Array.isArray(t.sub)) walk(t.sub as TsharkTree, node);
    }
  }
}

function leaf(node: TsharkNode, key: string, value: TsharkValue): void {
  if (typeof value === 'string') addField(node.fields, key, value);
  else if (Array.isArray(value)) for (const x of value) leaf(node, key, x);
  else walk(value as TsharkTree, node);
}

function toNode(key: string, value: TsharkValue | undefined, raw: string | undefined, sub: TsharkValue | undefined): TsharkNode {
  const n: TsharkNode = raw === undefined ? { fields: {} } : { raw, fields: {} };
  if (typeof value === 'string') n.fields[key] = value;
  else if (value !== undefined && typeof value === 'object' && !Array.isArray(value)) walk(value as TsharkTree, n);
  if (sub !== undefined && typeof sub === 'object' && !Array.isArray(sub)) walk(sub as TsharkTree, n);
  return n;
}

/** Reduce one tshark BGP PDU tree to a `TsharkNode`. */
export function selectFields(tree: TsharkTree): TsharkNode {
  return toNode('bgp', tree, undefined, undefined);
}

/** First value of a field (or undefined). */
export function field(n: TsharkNode | undefined, key: string): string | undefined {
  const v = n?.fields[key];
  return Array.isArray(v) ? v[0] : v;
}

/** All values of a field. */
export function fieldAll(n: TsharkNode | undefined, key: string): string[] {
  const v = n?.fields[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** One stored vector: the exact bytes and tshark's decode. */
export interface CapturedVector {
  readonly name: string;
  /** `gobgp 3.10` or `frr 8.4` (the speaker that sent it). */
  readonly source: string;
  readonly scenario: string;
  /** Direction, `src:port>dst:port`. */
  readonly flow: string;
  readonly hex: string;
  readonly tshark: TsharkNode;
  /** tshark's full tree (only with --raw). */
  readonly raw?: TsharkTree;
}

const sourceLabel: Record<string, string> = { gobgp: 'gobgp 3.10', frr: 'frr 8.4' };
const typeNames: Record<number, string> = { 1: 'open', 2: 'update', 3: 'notification', 4: 'keepalive', 5: 'route-refresh' };

/** A short description of an UPDATE for its vector name. */
function describeUpdate(n: TsharkNode): string {
  const parts: string[] = [];
  for (const a of n.attributes ?? []) {
    const code = field(a, 'bgp.update.path_attribute.type_code');
    if (code === '14' || code === '15') {
      const afi = field(a, `bgp.update.path_attribute.${code === '14' ? 'mp_reach_nlri' : 'mp_unreach_nlri'}.afi`);
      const types = (a.evpn ?? []).map((e) => `t${field(e, 'bgp.evpn.nlri.rt') ?? '?'}`);
      if (types.length === 0 && code === '15') {
        parts.push(afi === '25' ? 'eor-evpn' : `eor-afi${afi}`); // RFC 4724 2: an empty MP_UNREACH
        continue;
      }
      const what = afi === '25' ? `evpn-${types.join('')}` : `afi${afi}`;
      parts.push(code === '14' ? what : `withdraw-${what}`);
    }
  }
  const wd = (n.prefixes ?? []).filter((p) => p.fields['bgp.prefix.parent'] === 'bgp.update.withdrawn_routes').length;
  const nl = (n.prefixes ?? []).filter((p) => p.fields['bgp.prefix.parent'] === 'bgp.update.nlri').length;
  if (nl > 0) parts.push('ipv4');
  if (wd > 0) parts.push('withdraw-ipv4');
  if (parts.length === 0) parts.push(n.attributes === undefined ? 'eor-ipv4' : 'attrs-only');
  return parts.join('+');
}

/**
 * Cut a pcap into BGP messages (own TCP reassembly: exact bytes), pair each with tshark's decode
 * of the same PDU (same direction, same order; type and length must agree), and name them.
 * `sources` maps a sender IP to `gobgp` / `frr`. KEEPALIVEs after the first per sender are
 * dropped (they are all the same 19 bytes).
 */
export function pairMessages(pcap: string, scenario: string, sources: Record<string, 'gobgp' | 'frr'>, port = 179): CapturedVector[] {
  const msgs = bgpMessages(pcap);
  const pdus = tsharkBgp(pcap, port);
  const byFlow = new Map<string, typeof pdus>();
  for (const p of pdus) {
    const k = p.flow;
    if (!byFlow.has(k)) byFlow.set(k, []);
    byFlow.get(k)!.push(p);
  }
  const taken = new Map<string, number>();
  const out: CapturedVector[] = [];
  const seenKeepalive = new Set<string>();
  const counters = new Map<string, number>();
  for (const m of msgs) {
    const list = byFlow.get(m.flow) ?? [];
    const i = taken.get(m.flow) ?? 0;
    taken.set(m.flow, i + 1);
    const pdu = list[i];
    if (pdu === undefined) throw new Error(`${pcap}: tshark has no PDU #${i} for ${m.flow}`);
    const sel = selectFields(pdu.tree);
    if (Number(field(sel, 'bgp.length')) !== m.bytes.length || Number(field(sel, 'bgp.type')) !== m.type) {
      throw new Error(`${pcap}: ${m.flow} #${i}: tshark says type ${field(sel, 'bgp.type')} length ${field(sel, 'bgp.length')}, bytes say ${m.type}/${m.bytes.length}`);
    }
    const who = sources[m.src];
    if (who === undefined) continue;
    if (m.type === 4) {
      if (seenKeepalive.has(who)) continue;
      seenKeepalive.add(who);
    }
    const n = (counters.get(who) ?? 0) + 1;
    counters.set(who, n);
    const kind = typeNames[m.type] ?? `type${m.type}`;
    const desc = m.type === 2 ? `-${describeUpdate(sel)}` : '';
    out.push({
      name: `${scenario} ${who} #${String(n).padStart(2, '0')} ${kind}${desc}`,
      source: sourceLabel[who]!,
      scenario,
      flow: m.flow,
      hex: m.bytes.toString('hex'),
      tshark: sel,
      raw: pdu.tree,
    });
  }
  return out;
}

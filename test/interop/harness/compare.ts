/**
 * Field-by-field comparison of our decoded message with tshark's decode of the same bytes.
 *
 * Every tshark field name is mapped to ours explicitly here, with the relation between them
 * where the two decoders present a field differently:
 *
 * | tshark 4.0                                   | ours                                       |
 * |----------------------------------------------|--------------------------------------------|
 * | bgp.type 1..5                                | message.type open/update/notification/...  |
 * | bgp.open.myas / holdtime / identifier        | myAs / holdTime / routerId                 |
 * | bgp.cap.type (+ per-capability fields)       | capabilities[i] (type name -> code below)  |
 * | bgp.update.path_attribute.type_code          | attributeTypeCode(attributes[i])           |
 * | bgp.update.path_attribute.flags (hex)        | attributes[i].flags                        |
 * | ...origin 0/1/2                              | origin.value igp/egp/incomplete            |
 * | ...as_path_segment.type 1/2/3/4, .as4/.as2   | segments[j].type set/sequence/confed-*, asns |
 * | ...community_as : community_value            | communities.values[j] = as * 65536 + value |
 * | bgp.large_communities.ga/ldp1/ldp2           | largeCommunities.values[j].global/local1/local2 |
 * | ...mp_reach_nlri.next_hop.ipv4 / .ipv6       | mpReach.nextHops[0]                        |
 * | ...originator_id, bgp.path_attribute.cluster_id | originatorId.value, clusterList.values   |
 * | ...aggregator_as / aggregator_origin         | aggregator.asn / address                   |
 * | bgp.cap.gr.afi / safi / flag.pfs             | graceful-restart families[j] (forwardingPreserved) |
 * | bgp.evpn.nlri.rt / rd (bytes) / esi / etag   | routeType / rd (text) / esi / ethernetTag  |
 * | bgp.evpn.nlri.mpls_ls1 (MPLS label)          | label1 >> 4 (ours is the raw 24 bits)      |
 * | bgp.evpn.nlri.vni (when tshark shows a VNI)  | label1 (all 24 bits)                       |
 * | bgp.update.path_attribute.mpls_label_value   | Type-5 label / ESI-label label (raw 24 bits) |
 * | ...pmsi.tunnel.flags / .type                 | pmsiTunnel.tunnelFlags / tunnelType        |
 * | bgp.evpn.nlri.vni (in the PMSI attribute)    | pmsiTunnel.label (raw 24 bits)             |
 * | ...pmsi.ingress_rep_ip                       | pmsiTunnel.tunnelId (IPv4; tshark 4.0 misreads IPv6) |
 * | bgp.ext_com.type + bgp.ext_com.stype_*       | the (type, subtype) of extCommunityCodecOf(kind) |
 * | bgp.ext_com_evpn.esi.rt / esi.router_mac     | es-import-rt.value / routers-mac.mac        |
 * | bgp.ext_com_evpn.mmac.seq / .flags.sticky    | mac-mobility.sequence / sticky              |
 * | bgp.notify.major_error / minor_error_*       | notification.code / subcode                |
 */
import {
  attributeCodec,
  attributeTypeCode,
  decodeMessage,
  encodeMessage,
  type BgpMessage,
  type Capability,
  type CodecOptions,
  type PathAttribute,
} from '../../../src/index.js';
import { compareExtCommunity, compareNlri, comparePmsiTunnelId, type ExtValue } from './compare-evpn.js';
import { field, fieldAll, type TsharkNode } from './tshark-fields.js';

export { canonicalLayout } from './canonical-layout.js';
export { rdFromTshark } from './compare-evpn.js';

/** One field compared: where, our value, tshark's value. */
export interface Check {
  readonly path: string;
  readonly ours: unknown;
  readonly tshark: unknown;
}

/** The outcome: every comparison made, and those that disagreed. */
export interface Comparison {
  readonly checks: Check[];
  readonly mismatches: Check[];
}

/** Collects checks; exported for compare-evpn.ts. */
export class Cmp {
  readonly checks: Check[] = [];
  readonly mismatches: Check[] = [];

  /** Compare as strings (tshark prints everything as text). */
  eq(path: string, ours: unknown, tshark: string | undefined): void {
    const c = { path, ours, tshark };
    this.checks.push(c);
    if (tshark === undefined || String(ours).toLowerCase() !== tshark.toLowerCase()) this.mismatches.push(c);
  }

  /** Compare only when tshark printed the field. */
  opt(path: string, ours: unknown, tshark: string | undefined): void {
    if (tshark !== undefined) this.eq(path, ours, tshark);
  }

  fail(path: string, ours: unknown, tshark: unknown): void {
    const c = { path, ours, tshark };
    this.checks.push(c);
    this.mismatches.push(c);
  }
}

const messageTypes: Record<BgpMessage['type'], number> = { open: 1, update: 2, notification: 3, keepalive: 4, 'route-refresh': 5 };

const capabilityCodes: Record<Exclude<Capability['type'], 'unknown'>, number> = {
  multiprotocol: 1,
  'route-refresh': 2,
  'extended-message': 6,
  'graceful-restart': 64,
  'four-octet-as': 65,
  'add-path': 69,
  'enhanced-route-refresh': 70,
  fqdn: 73,
  'route-refresh-cisco': 128,
};

/** Decode `hex` with our codec, compare it with tshark's fields, and re-encode it. */
export function compareMessage(hex: string, t: TsharkNode, options?: CodecOptions): Comparison & { decoded: BgpMessage; reencoded: string } {
  const bytes = Buffer.from(hex, 'hex');
  const m = decodeMessage(bytes, options);
  const c = new Cmp();
  c.eq('type', messageTypes[m.type], field(t, 'bgp.type'));
  c.eq('length', bytes.length, field(t, 'bgp.length'));
  switch (m.type) {
    case 'open':
      c.eq('open.version', m.version, field(t, 'bgp.open.version'));
      c.eq('open.myAs', m.myAs, field(t, 'bgp.open.myas'));
      c.eq('open.holdTime', m.holdTime, field(t, 'bgp.open.holdtime'));
      c.eq('open.routerId', m.routerId, field(t, 'bgp.open.identifier'));
      compareCapabilities(c, m.capabilities, t.capabilities ?? []);
      break;
    case 'update':
      compareUpdate(c, m, t);
      break;
    case 'notification':
      c.eq('notification.code', m.code, field(t, 'bgp.notify.major_error'));
      c.eq('notification.subcode', m.subcode, minorError(t));
      c.opt('notification.shutdownMessage', m.shutdownMessage, field(t, 'bgp.notify.communication'));
      break;
    case 'route-refresh':
      c.eq('routeRefresh.afi', m.afi, field(t, 'bgp.route_refresh.afi'));
      c.eq('routeRefresh.safi', m.safi, field(t, 'bgp.route_refresh.safi'));
      c.eq('routeRefresh.subtype', { normal: 0, borr: 1, eorr: 2 }[m.subtype as string] ?? m.subtype, field(t, 'bgp.route_refresh.subtype'));
      break;
    case 'keepalive':
      break;
  }
  const reencoded = encodeMessage(m, options).toString('hex');
  return { checks: c.checks, mismatches: c.mismatches, decoded: m, reencoded };
}

/** tshark names the subcode field after the error code (`minor_error_cease`, `minor_error_open`...). */
function minorError(t: TsharkNode): string | undefined {
  const k = Object.keys(t.fields).find((x) => x.startsWith('bgp.notify.minor_error'));
  return k === undefined ? undefined : field(t, k);
}

function compareCapabilities(c: Cmp, caps: readonly Capability[], ts: readonly TsharkNode[]): void {
  c.eq('capabilities.count', caps.length, String(ts.length));
  caps.forEach((cap, i) => {
    const t = ts[i];
    const p = `capabilities[${i}]`;
    const code = cap.type === 'unknown' ? cap.code : capabilityCodes[cap.type];
    c.eq(`${p}.code`, code, field(t, 'bgp.cap.type'));
    const valueLength = t?.raw === undefined ? undefined : t.raw.length / 2 - 2;
    c.eq(`${p}.length`, valueLength, field(t, 'bgp.cap.length'));
    switch (cap.type) {
      case 'multiprotocol':
        c.eq(`${p}.afi`, cap.afi, field(t, 'bgp.cap.mp.afi'));
        c.eq(`${p}.safi`, cap.safi, field(t, 'bgp.cap.mp.safi'));
        break;
      case 'four-octet-as':
        c.eq(`${p}.asn`, cap.asn, field(t, 'bgp.cap.4as'));
        break;
      case 'graceful-restart':
        c.eq(`${p}.restarting`, cap.restarting ? 1 : 0, field(t, 'bgp.cap.gr.timers.restart_flag'));
        c.eq(`${p}.notification`, cap.notification ? 1 : 0, field(t, 'bgp.cap.gr.timers.notification_flag'));
        c.eq(`${p}.restartTime`, cap.restartTime, field(t, 'bgp.cap.gr.timers.restart_time'));
        c.eq(`${p}.families`, cap.families.map((f) => `${f.afi}/${f.safi}/${f.forwardingPreserved ? 1 : 0}`).join(','),
          fieldAll(t, 'bgp.cap.gr.afi').map((a, j) => `${a}/${fieldAll(t, 'bgp.cap.gr.safi')[j]}/${fieldAll(t, 'bgp.cap.gr.flag.pfs')[j]}`).join(','));
        break;
      case 'add-path': {
        const modes = { receive: 1, send: 2, both: 3 } as const;
        const afis = fieldAll(t, 'bgp.cap.ap.afi');
        const safis = fieldAll(t, 'bgp.cap.ap.safi');
        const srs = fieldAll(t, 'bgp.cap.ap.sendreceive');
        c.eq(`${p}.families`, cap.families.map((f) => `${f.afi}/${f.safi}/${modes[f.mode]}`).join(','), afis.map((a, j) => `${a}/${safis[j]}/${srs[j]}`).join(','));
        break;
      }
      case 'fqdn':
        c.eq(`${p}.hostname`, cap.hostname, field(t, 'bgp.cap.orf.fqdn.hostname'));
        c.eq(`${p}.domain`, cap.domain, field(t, 'bgp.cap.orf.fqdn.domain_name'));
        break;
      case 'unknown':
        // tshark decodes some of these (code 5, extended next hop) and not others (71, LLGR):
        // its bytes are the common ground
        c.eq(`${p}.value`, cap.value.toString('hex'), t?.raw?.slice(4));
        break;
      default:
        break; // no value (route refresh, enhanced route refresh, extended message)
    }
  });
}

function prefixesOf(t: TsharkNode, parent: string, addrField: string): string[] {
  return (t.prefixes ?? [])
    .filter((p) => p.fields['bgp.prefix.parent'] === parent)
    .map((p) => `${field(p, addrField) ?? '?'}/${field(p, 'bgp.prefix_length') ?? '?'}`);
}

function compareUpdate(c: Cmp, m: Extract<BgpMessage, { type: 'update' }>, t: TsharkNode): void {
  c.eq('update.error', m.error?.message ?? 'none', 'none');
  c.eq('update.withdrawn', m.withdrawn.map((p) => p.prefix).join(','), prefixesOf(t, 'bgp.update.withdrawn_routes', 'bgp.withdrawn_prefix').join(','));
  c.eq('update.nlri', m.nlri.map((p) => p.prefix).join(','), prefixesOf(t, 'bgp.update.nlri', 'bgp.nlri_prefix').join(','));
  const ts = t.attributes ?? [];
  c.eq('update.attributes.count', m.attributes.length, String(ts.length));
  m.attributes.forEach((a, i) => compareAttribute(c, `attributes[${i}]`, a, ts[i]));
}

const origins = { igp: 0, egp: 1, incomplete: 2 } as const;
const segmentTypes = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 } as const;

function compareAttribute(c: Cmp, p: string, a: PathAttribute, t: TsharkNode | undefined): void {
  const code = attributeTypeCode(a);
  c.eq(`${p}.typeCode`, code, field(t, 'bgp.update.path_attribute.type_code'));
  // Optional/Transitive/Partial: ours keeps flags only when they differ from the attribute's
  // canonical ones (the Partial bit); the Extended Length bit is not a value (the byte-for-byte
  // re-encoding checks it)
  const otp = a.flags ?? (a.type === 'unknown' ? a.flags : attributeCodec(code)?.flags);
  const tf = field(t, 'bgp.update.path_attribute.flags');
  c.eq(`${p}.flags(O/T/P)`, `0x${((otp ?? 0xff) & 0xe0).toString(16)}`, tf === undefined ? undefined : `0x${(parseInt(tf, 16) & 0xe0).toString(16)}`);
  const P = 'bgp.update.path_attribute.';
  switch (a.type) {
    case 'origin':
      c.eq(`${p}.origin`, origins[a.value], field(t, `${P}origin`));
      break;
    case 'as-path':
    case 'as4-path': {
      const segs = t?.segments ?? [];
      c.eq(`${p}.segments.count`, a.segments.length, String(segs.length));
      a.segments.forEach((s, j) => {
        const st = segs[j];
        const pre = a.type === 'as-path' ? `${P}as_path_segment.` : `${P}as4_path_segment.`;
        c.eq(`${p}.segments[${j}].type`, segmentTypes[s.type], field(st, `${pre}type`));
        c.eq(`${p}.segments[${j}].length`, s.asns.length, field(st, `${pre}length`));
        const asns = fieldAll(st, `${pre}as4`).concat(fieldAll(st, `${pre}as2`));
        c.eq(`${p}.segments[${j}].asns`, s.asns.join(' '), asns.join(' '));
      });
      break;
    }
    case 'next-hop':
      c.eq(`${p}.nextHop`, a.value, field(t, `${P}next_hop`));
      break;
    case 'med':
      c.eq(`${p}.med`, a.value, field(t, `${P}multi_exit_disc`));
      break;
    case 'local-pref':
      c.eq(`${p}.localPref`, a.value, field(t, `${P}local_pref`));
      break;
    case 'communities': {
      const cs = t?.communities ?? [];
      c.eq(`${p}.communities`, a.values.map((v) => `${Math.floor(v / 65536)}:${v % 65536}`).join(' '),
        cs.map((x) => `${field(x, `${P}community_as`) ?? '?'}:${field(x, `${P}community_value`) ?? '?'}`).join(' '));
      break;
    }
    case 'large-communities': {
      const ls = t?.largeCommunities ?? [];
      c.eq(`${p}.largeCommunities`, a.values.map((v) => `${v.global}:${v.local1}:${v.local2}`).join(' '),
        ls.map((x) => ['ga', 'ldp1', 'ldp2'].map((k) => field(x, `bgp.large_communities.${k}`) ?? '?').join(':')).join(' '));
      break;
    }
    case 'atomic-aggregate':
      c.eq(`${p}.length`, 0, field(t, `${P}length`));
      break;
    case 'aggregator':
      c.eq(`${p}.asn`, a.asn, field(t, `${P}aggregator_as`));
      c.eq(`${p}.address`, a.address, field(t, `${P}aggregator_origin`));
      break;
    case 'as4-aggregator':
      c.eq(`${p}.asn`, a.asn, field(t, `${P}as4_aggregator_as`));
      c.eq(`${p}.address`, a.address, field(t, `${P}as4_aggregator_origin`));
      break;
    case 'originator-id':
      c.eq(`${p}.originatorId`, a.value, field(t, `${P}originator_id`));
      break;
    case 'cluster-list':
      c.eq(`${p}.clusterList`, a.values.join(' '), fieldAll(t, 'bgp.path_attribute.cluster_id').join(' '));
      break;
    case 'mp-reach':
      c.eq(`${p}.afi`, a.afi, field(t, `${P}mp_reach_nlri.afi`));
      c.eq(`${p}.safi`, a.safi, field(t, `${P}mp_reach_nlri.safi`));
      c.eq(`${p}.nextHops`, a.nextHops.join(','),
        [...fieldAll(t, `${P}mp_reach_nlri.next_hop.ipv4`), ...fieldAll(t, `${P}mp_reach_nlri.next_hop.ipv6`)].join(','));
      compareNlri(c, p, a.afi, a.safi, a.nlri, t);
      break;
    case 'mp-unreach':
      c.eq(`${p}.afi`, a.afi, field(t, `${P}mp_unreach_nlri.afi`));
      c.eq(`${p}.safi`, a.safi, field(t, `${P}mp_unreach_nlri.safi`));
      compareNlri(c, p, a.afi, a.safi, a.withdrawn, t);
      break;
    case 'extended-communities': {
      const es = t?.extCommunities ?? [];
      c.eq(`${p}.extCommunities.count`, a.values.length, String(es.length));
      a.values.forEach((v, j) => compareExtCommunity(c, `${p}.extCommunities[${j}]`, v as ExtValue, es[j]));
      break;
    }
    case 'pmsi-tunnel':
      c.eq(`${p}.tunnelFlags`, a.tunnelFlags, field(t, `${P}pmsi.tunnel.flags`));
      c.eq(`${p}.tunnelType`, a.tunnelType, field(t, `${P}pmsi.tunnel.type`));
      // tshark 4.0 shows the PMSI label field as a VNI (all 24 bits) for EVPN
      c.eq(`${p}.label`, a.label, field(t, 'bgp.evpn.nlri.vni') ?? field(t, `${P}pmsi.mpls_label`));
      comparePmsiTunnelId(c, p, a.tunnelId, t);
      break;
    default:
      // an attribute we decode but tshark's fields are not mapped for yet: still compare bytes
      c.fail(`${p}.unmapped`, a.type, t?.raw);
  }
}

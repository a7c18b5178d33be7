/**
 * The EVPN half of the tshark comparison (see compare.ts for the field-name table): EVPN NLRI
 * of every route type, extended communities, the PMSI tunnel identifier.
 */
import { extCommunityCodecOf, type RawExtendedCommunity } from '../../../src/index.js';
import type { Cmp } from './compare.js';
import { field, fieldAll, type TsharkNode } from './tshark-fields.js';

/**
 * The PMSI tunnel identifier. For ingress replication it is the endpoint's IPv4 or IPv6 address
 * (RFC 6514 5, RFC 7432 11.2: the length tells which). tshark 4.0 always reads 4 bytes as
 * `pmsi.ingress_rep_ip`, so an IPv6 endpoint shows as the dotted first 4 bytes (2001:db8:...
 * prints as 32.1.13.184): compare that relation, and the full address with the attribute bytes.
 */
export function comparePmsiTunnelId(c: Cmp, p: string, id: string | Buffer, t: TsharkNode | undefined): void {
  const ours = typeof id === 'string' ? id : id.toString('hex');
  const shown = field(t, 'bgp.update.path_attribute.pmsi.ingress_rep_ip');
  const raw = t?.raw;
  // attribute header (flags, type, 1-byte length) + flags, tunnel type, 3-byte label
  const idHex = raw === undefined ? undefined : raw.slice(((parseInt(raw.slice(0, 2), 16) & 0x10) !== 0 ? 8 : 6) + 10);
  if (idHex !== undefined && idHex.length === 32) {
    const b = Buffer.from(idHex, 'hex');
    c.eq(`${p}.tunnelId (IPv6, from the bytes)`, ours, ipv6Text(b));
    c.eq(`${p}.tunnelId (tshark 4.0 shows its first 4 bytes as IPv4)`, `${b[0]}.${b[1]}.${b[2]}.${b[3]}`, shown);
  } else {
    c.eq(`${p}.tunnelId`, ours, shown);
  }
}

function ipv6Text(b: Buffer): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i));
  let best = -1;
  let len = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > len) { best = i; len = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + len))}`;
}

export type ExtValue = { kind: string } & Record<string, unknown>;

/** tshark names the sub-type field after the type (`stype_tr_as2`, `stype_tr_evpn`, ...). */
function subtypeOf(t: TsharkNode | undefined): number | undefined {
  const k = Object.keys(t?.fields ?? {}).find((x) => x.startsWith('bgp.ext_com.stype_'));
  const v = k === undefined ? undefined : field(t, k);
  return v === undefined ? undefined : parseInt(v, 16);
}

export function compareExtCommunity(c: Cmp, p: string, v: ExtValue, t: TsharkNode | undefined): void {
  const type = parseInt(field(t, 'bgp.ext_com.type') ?? 'NaN', 16);
  const sub = subtypeOf(t);
  if (v.kind === 'raw') {
    const r = v as unknown as RawExtendedCommunity;
    c.eq(`${p}.type`, `${r.typeHigh}/${r.subtype}`, `${type}/${sub ?? '?'}`);
    c.eq(`${p}.value`, r.value, t?.raw?.slice(4));
    return;
  }
  const codes = extCommunityCodecOf(v.kind)?.codes ?? [];
  const match = codes.some(([ty, st]) => ty === type && st === sub);
  c.eq(`${p}.typeSubtype(${v.kind})`, match ? `${type}/${sub}` : codes.map(([a, b]) => `${a}/${b}`).join('|'), `${type}/${sub ?? '?'}`);
  const E = 'bgp.ext_com.';
  switch (v.kind) {
    case 'route-target':
    case 'route-origin':
      if (v.format === 'as2') {
        c.eq(`${p}.global`, v.global, field(t, `${E}value_as2`));
        c.eq(`${p}.local`, v.local, field(t, `${E}value_an4`));
      } else if (v.format === 'as4') {
        c.eq(`${p}.global`, v.global, field(t, `${E}value_as4`));
        c.eq(`${p}.local`, v.local, field(t, `${E}value_an2`));
      } else {
        c.eq(`${p}.global`, v.global, field(t, `${E}value_IP4`));
        c.eq(`${p}.local`, v.local, field(t, `${E}value_an2`));
      }
      break;
    case 'encapsulation':
      c.eq(`${p}.tunnelType`, v.tunnelType, field(t, `${E}tunnel_type`));
      break;
    case 'routers-mac':
      c.eq(`${p}.mac`, v.mac, field(t, 'bgp.ext_com_evpn.esi.router_mac'));
      break;
    case 'mac-mobility':
      c.eq(`${p}.sequence`, v.sequence, field(t, 'bgp.ext_com_evpn.mmac.seq'));
      c.eq(`${p}.sticky`, v.sticky === true ? 1 : 0, field(t, 'bgp.ext_com_evpn.mmac.flags.sticky'));
      break;
    case 'esi-label':
      c.eq(`${p}.singleActive`, v.singleActive === true ? 1 : 0, field(t, 'bgp.ext_com_l2.esi_label_flag'));
      // tshark prints the 3-byte field both whole (mpls_label_value) and as label/TC/S
      c.eq(`${p}.label`, v.label, field(t, 'bgp.update.path_attribute.mpls_label_value'));
      break;
    case 'es-import-rt':
      c.eq(`${p}.value`, v.value, field(t, 'bgp.ext_com_evpn.esi.rt'));
      break;
    case 'default-gateway':
      break; // RFC 7432 7.8: no value beyond (type, subtype), compared above
    case 'arp-nd':
      c.opt(`${p}.router`, v.router === true ? 1 : 0, field(t, 'bgp.ext_com_evpn.nd.flags.router'));
      c.opt(`${p}.override`, v.override === true ? 1 : 0, field(t, 'bgp.ext_com_evpn.nd.flags.override'));
      c.opt(`${p}.immutable`, v.immutable === true ? 1 : 0, field(t, 'bgp.ext_com_evpn.nd.flags.immutable'));
      break;
    default:
      c.eq(`${p}.bytes(${v.kind})`, 'mapped', t?.raw === undefined ? undefined : 'unmapped');
  }
}

/** RD bytes as tshark prints them (`00:01:c6:13:00:0c:00:02`) in the usual text form. */
export function rdFromTshark(hex: string | undefined): string | undefined {
  if (hex === undefined) return undefined;
  const b = Buffer.from(hex.replace(/:/g, ''), 'hex');
  if (b.length !== 8) return `bad:${hex}`;
  switch (b.readUInt16BE(0)) {
    case 0: return `${b.readUInt16BE(2)}:${b.readUInt32BE(4)}`;
    case 1: return `${b[2]}.${b[3]}.${b[4]}.${b[5]}:${b.readUInt16BE(6)}`;
    case 2: return `${b.readUInt32BE(2)}:${b.readUInt16BE(6)}`;
    default: return `raw:${hex}`;
  }
}

type Route = { routeType: number } & Record<string, unknown>;

export function compareNlri(c: Cmp, p: string, afi: number, safi: number, nlri: readonly unknown[], t: TsharkNode | undefined): void {
  if (afi !== 25 || safi !== 70) {
    c.fail(`${p}.nlri(${afi}/${safi})`, nlri.length, 'family not mapped');
    return;
  }
  const es = t?.evpn ?? [];
  c.eq(`${p}.evpn.count`, nlri.length, String(es.length));
  nlri.forEach((r0, j) => compareEvpn(c, `${p}.evpn[${j}]`, r0 as Route, es[j]));
}

function compareEvpn(c: Cmp, p: string, r: Route, t: TsharkNode | undefined): void {
  const N = 'bgp.evpn.nlri.';
  c.eq(`${p}.routeType`, r.routeType, field(t, `${N}rt`));
  c.eq(`${p}.length`, t?.raw === undefined ? undefined : t.raw.length / 2 - 2, field(t, `${N}len`));
  if (r.raw !== undefined) {
    c.fail(`${p}.raw`, 'kept raw', 'tshark decoded it');
    return;
  }
  c.eq(`${p}.rd`, r.rd, rdFromTshark(field(t, `${N}rd`)));
  if (r.esi !== undefined) c.eq(`${p}.esi`, r.esi, field(t, `${N}esi`));
  if (r.ethernetTag !== undefined) c.eq(`${p}.ethernetTag`, r.ethernetTag, field(t, `${N}etag`));
  const ip = field(t, `${N}ip.addr`) ?? field(t, `${N}ipv6.addr`);
  switch (r.routeType) {
    case 1:
      compareLabel(c, `${p}.label`, r.label as number, t, 'mpls_ls1');
      break;
    case 2:
      c.eq(`${p}.macLength`, 48, field(t, `${N}maclen`));
      c.eq(`${p}.mac`, r.mac, field(t, `${N}mac_addr`));
      c.eq(`${p}.ipLength`, r.ip === undefined ? 0 : String(r.ip).includes(':') ? 128 : 32, field(t, `${N}iplen`));
      if (r.ip !== undefined) c.eq(`${p}.ip`, r.ip, ip);
      compareLabel(c, `${p}.label1`, r.label1 as number, t, 'mpls_ls1');
      if (r.label2 !== undefined) compareLabel(c, `${p}.label2`, r.label2 as number, t, 'mpls_ls2');
      else c.eq(`${p}.label2`, 'absent', field(t, `${N}mpls_ls2`) === undefined ? 'absent' : 'present');
      break;
    case 3:
      c.eq(`${p}.ipLength`, String(r.originator).includes(':') ? 128 : 32, field(t, `${N}iplen`));
      c.eq(`${p}.originator`, r.originator, ip);
      break;
    case 4:
      c.eq(`${p}.ipLength`, String(r.originator).includes(':') ? 128 : 32, field(t, `${N}iplen`));
      c.eq(`${p}.originator`, r.originator, ip);
      break;
    case 5: {
      const [addr, len] = String(r.prefix).split('/');
      c.eq(`${p}.prefixLength`, len, field(t, `${N}prefix_len`));
      c.eq(`${p}.prefix`, addr, ip ?? field(t, `${N}ipv4.prefix`) ?? field(t, `${N}ipv6.prefix`));
      c.eq(`${p}.gateway`, r.gateway, field(t, `${N}ipv4.gtw_addr`) ?? field(t, `${N}ipv6.gtw_addr`));
      // tshark 4.0 prints the Type-5 label field whole (raw 24 bits), unlike Type-1/2's mpls_ls1
      c.eq(`${p}.label`, r.label, field(t, 'bgp.update.path_attribute.mpls_label_value'));
      break;
    }
    default:
      c.fail(`${p}.routeType`, r.routeType, 'not mapped');
  }
}

/**
 * tshark shows a Type-1/Type-2 label field either as an MPLS label (`mpls_ls1`: the top 20 bits,
 * raw >> 4) or, when it decides the field holds a VNI, as `bgp.evpn.nlri.vni` (all 24 bits).
 */
function compareLabel(c: Cmp, p: string, raw: number, t: TsharkNode | undefined, name: 'mpls_ls1' | 'mpls_ls2'): void {
  const mpls = field(t, `bgp.evpn.nlri.${name}`);
  if (mpls !== undefined) c.eq(`${p}>>4 (as MPLS)`, raw >>> 4, mpls);
  else c.eq(`${p} (as VNI)`, raw, fieldAll(t, 'bgp.evpn.nlri.vni')[name === 'mpls_ls1' ? 0 : 1]);
}

/**
 * The OpenFlow pipeline of `OvsDataplane`, as `ovs-ofctl bundle` lines (OpenFlow 1.4 bundle,
 * OVS field names). Pure functions: the same state always gives the same text.
 *
 * ```
 * table 0        in_port=<local port>            -> tun_id:=VNI, goto ARP
 *                in_port=<vxlan>,tun_id=VNI      -> reg0:=1 (from the overlay), goto L2
 *                in_port=<vxlan> (other VNIs)    -> drop
 * ARP   (base)   arp request for a known IP      -> reply in place, IN_PORT (l2population's pattern)
 *                neighbour solicitation, known   -> NA in place, then ND_TLL (base+4), IN_PORT
 *                *                               -> goto LEARN
 * LEARN (base+1) *                               -> learn(L2: tun_id, dl_dst:=dl_src -> in_port), goto L2
 * L2    (base+2) reg0=0,tun_id,dl_dst (remote)   -> tun_dst:=VTEP, output:vxlan
 *                tun_id,dl_dst (local, API)      -> output:port
 *                tun_id,dl_dst (learned, p 90)   -> output:port
 *                *                               -> goto FLOOD
 * FLOOD (base+3) tun_id,reg0=0                   -> group VNI       (local ports + one bucket per VTEP)
 *                tun_id,reg0=1                   -> group 2^24|VNI  (local ports only)
 * ```
 * Every flow carries `cookie | kind` (the kind in the low byte), so one `cookie/mask` names all
 * of ours and `cookie|kind/-1` one kind.
 */
import type { IpText, MacText } from '../types.js';

/** The kinds of flows, the low byte of their cookie. */
export const FlowKind = {
  base: 1,
  port: 2,
  remoteMac: 3,
  arp: 4,
  nd: 5,
  flood: 6,
  learned: 7,
  localMac: 8,
  vni: 9,
} as const;

/** Mask of our cookie: everything but the kind byte. */
export const cookieMask = 0xffffffffffffff00n;

/** Group id of a VNI's local-only flood group (frames that came from the overlay). */
export const localGroupBit = 0x1000000;

/** Table numbers and constants shared by every line. */
export interface Pipeline {
  /** Our cookie with a zero low byte. */
  readonly cookie: bigint;
  /** First table of ours (ARP); LEARN, L2, FLOOD, ND follow. */
  readonly base: number;
  /** OpenFlow port number of the flow-based VXLAN port. */
  readonly tunnelOfport: number;
  /** Idle timeout of learned MACs in seconds. */
  readonly macAgeSeconds: number;
  /** Learn local MACs with a `learn()` action. */
  readonly learn: boolean;
}

/** Table numbers of a pipeline. */
export function tables(p: Pipeline): { arp: number; learn: number; l2: number; flood: number; ndTll: number } {
  return { arp: p.base, learn: p.base + 1, l2: p.base + 2, flood: p.base + 3, ndTll: p.base + 4 };
}

/** `0x...` of our cookie with a kind. */
export function cookieOf(p: Pipeline, kind: number): string {
  return `0x${(p.cookie | BigInt(kind)).toString(16)}`;
}

function isV6(ip: IpText): boolean {
  return ip.includes(':');
}

/** The set-tunnel-destination action for a VTEP of either family. */
export function tunDst(vtep: IpText): string {
  return isV6(vtep) ? `set_field:${vtep}->tun_ipv6_dst` : `set_field:${vtep}->tun_dst`;
}

/** Flows present whatever the VNIs: table misses and the drop for unknown VNIs. */
export function baseFlows(p: Pipeline): string[] {
  const t = tables(p);
  const c = cookieOf(p, FlowKind.base);
  const learn = p.learn
    ? `learn(table=${t.l2},cookie=${cookieOf(p, FlowKind.learned)},idle_timeout=${p.macAgeSeconds},priority=90,NXM_NX_TUN_ID[],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),`
    : '';
  return [
    `flow add table=0,priority=50,cookie=${c},in_port=${p.tunnelOfport},actions=drop`,
    `flow add table=${t.arp},priority=0,cookie=${c},actions=goto_table:${t.learn}`,
    `flow add table=${t.learn},priority=0,cookie=${c},actions=${learn}goto_table:${t.l2}`,
    `flow add table=${t.l2},priority=0,cookie=${c},actions=goto_table:${t.flood}`,
    `flow add table=${t.flood},priority=0,cookie=${c},actions=drop`,
  ];
}

/** A VNI's decap classification and flood lookups (its groups must exist first). */
export function vniFlows(p: Pipeline, vni: number): string[] {
  const t = tables(p);
  const c = cookieOf(p, FlowKind.vni);
  return [
    `flow add table=0,priority=100,cookie=${c},in_port=${p.tunnelOfport},tun_id=${vni},actions=set_field:1->reg0,goto_table:${t.l2}`,
    `flow add table=${t.flood},priority=100,cookie=${c},tun_id=${vni},reg0=0,actions=group:${vni}`,
    `flow add table=${t.flood},priority=100,cookie=${c},tun_id=${vni},reg0=1,actions=group:${localGroupBit | vni}`,
  ];
}

/** Removes every flow of a VNI (our cookie, any kind) and its two groups. */
export function removeVniLines(p: Pipeline, vni: number, ofports: readonly number[]): string[] {
  const any = `cookie=0x${p.cookie.toString(16)}/0x${cookieMask.toString(16)}`;
  return [
    `flow delete ${any},tun_id=${vni}`,
    ...ofports.map((o) => `flow delete_strict table=0,priority=100,${any},in_port=${o}`),
    `group delete group_id=${vni}`,
    `group delete group_id=${localGroupBit | vni}`,
  ];
}

/** The two flood groups of a VNI: `verb` is `add` for a new VNI, `modify` after. */
export function groupLines(p: Pipeline, verb: 'add' | 'modify', vni: number, ofports: readonly number[], vteps: readonly IpText[]): string[] {
  const local = ofports.map((o) => `bucket=output:${o}`);
  const remote = vteps.map((v) => `bucket=${tunDst(v)},output:${p.tunnelOfport}`);
  const g = (id: number, b: string[]) => `group ${verb} group_id=${id},type=all${b.length === 0 ? '' : `,${b.join(',')}`}`;
  return [g(vni, [...local, ...remote]), g(localGroupBit | vni, local)];
}

/** Classifies a local port into a VNI, or removes that. */
export function portFlow(p: Pipeline, ofport: number, vni: number | undefined): string {
  const c = cookieOf(p, FlowKind.port);
  return vni === undefined
    ? `flow delete_strict table=0,priority=100,cookie=${c}/-1,in_port=${ofport}`
    : `flow add table=0,priority=100,cookie=${c},in_port=${ofport},actions=set_field:${vni}->tun_id,goto_table:${tables(p).arp}`;
}

/** Unicast to a remote VTEP (`vtep` undefined: remove). */
export function remoteMacFlow(p: Pipeline, vni: number, mac: MacText, vtep: IpText | undefined): string {
  const match = `table=${tables(p).l2},priority=100,reg0=0,tun_id=${vni},dl_dst=${mac}`;
  return vtep === undefined
    ? `flow delete_strict ${match}`
    : `flow add ${match},cookie=${cookieOf(p, FlowKind.remoteMac)},actions=${tunDst(vtep)},output:${p.tunnelOfport}`;
}

/** A local MAC from the API on an OVS port (`ofport` undefined: remove). */
export function localMacFlow(p: Pipeline, vni: number, mac: MacText, ofport: number | undefined): string {
  const match = `table=${tables(p).l2},priority=100,tun_id=${vni},dl_dst=${mac}`;
  return ofport === undefined
    ? `flow delete_strict ${match}`
    : `flow add ${match},cookie=${cookieOf(p, FlowKind.localMac)},actions=output:${ofport}`;
}

/** Removes a learned MAC's flow. */
export function forgetLearnedFlow(p: Pipeline, vni: number, mac: MacText): string {
  return `flow delete_strict table=${tables(p).l2},priority=90,tun_id=${vni},dl_dst=${mac}`;
}

/** Removes every learned MAC that points at `ofport`. */
export function forgetPortLines(p: Pipeline, ofport: number): string {
  return `flow delete table=${tables(p).l2},cookie=${cookieOf(p, FlowKind.learned)}/-1,out_port=${ofport}`;
}

/**
 * The ARP (IPv4) or ND (IPv6) responder for `ip` owned by `mac` (`mac` undefined: remove). ARP:
 * the request becomes the reply in place and leaves where it came from (OpenStack
 * l2population's `move`/`load` pattern). ND: the solicitation becomes a solicited, override
 * advertisement; OVS checks `nd_tll`'s prerequisite (type 136) against the match, so the
 * target link-layer address is written in a second table after the type changed.
 */
export function responderFlows(p: Pipeline, vni: number, ip: IpText, mac: MacText | undefined): string[] {
  const t = tables(p);
  if (!isV6(ip)) {
    const match = `table=${t.arp},priority=100,tun_id=${vni},arp,arp_op=1,arp_tpa=${ip}`;
    if (mac === undefined) return [`flow delete_strict ${match}`];
    return [`flow add ${match},cookie=${cookieOf(p, FlowKind.arp)},actions=` +
      `move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:${mac}->eth_src,set_field:2->arp_op,` +
      `move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],` +
      `set_field:${mac}->arp_sha,set_field:${ip}->arp_spa,IN_PORT`];
  }
  const ns = `table=${t.arp},priority=100,tun_id=${vni},icmp6,icmp_type=135,nd_target=${ip}`;
  const na = `table=${t.ndTll},priority=100,tun_id=${vni},icmp6,icmp_type=136,nd_target=${ip}`;
  if (mac === undefined) return [`flow delete_strict ${ns}`, `flow delete_strict ${na}`];
  const c = cookieOf(p, FlowKind.nd);
  return [
    `flow add ${na},cookie=${c},actions=set_field:${mac}->nd_tll,IN_PORT`,
    `flow add ${ns},cookie=${c},actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:${mac}->eth_src,` +
      `move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],set_field:${ip}->ipv6_src,set_field:136->icmpv6_type,` +
      `set_field:0x60000000->nd_reserved,set_field:2->nd_options_type,resubmit(,${t.ndTll})`,
  ];
}

/** One event of `ovs-ofctl monitor` about a learned MAC. */
export interface LearnedFlowEvent {
  readonly event: 'ADDED' | 'DELETED' | 'MODIFIED';
  readonly vni: number;
  readonly mac: MacText;
  readonly ofport: number;
}

/**
 * Parses one `ovs-ofctl monitor` line (` event=ADDED table=42 ... cookie=0x... tun_id=0x65,
 * dl_dst=02:..:01 actions=output:3`) into a learned-MAC event; other lines and other cookies
 * give undefined.
 */
export function parseMonitorLine(p: Pipeline, line: string): LearnedFlowEvent | undefined {
  const ev = /\bevent=(ADDED|DELETED|MODIFIED)\b/.exec(line)?.[1] as LearnedFlowEvent['event'] | undefined;
  if (ev === undefined) return undefined;
  const cookie = /\bcookie=(0x[0-9a-f]+)/.exec(line)?.[1];
  if (cookie === undefined || BigInt(cookie) !== (p.cookie | BigInt(FlowKind.learned))) return undefined;
  const vni = /\btun_id=(0x[0-9a-f]+|\d+)/.exec(line)?.[1];
  const mac = /\bdl_dst=([0-9a-f:]{17})/.exec(line)?.[1];
  const out = /actions=output:(\d+)/.exec(line)?.[1];
  if (vni === undefined || mac === undefined || out === undefined) return undefined;
  return { event: ev, vni: Number(vni), mac, ofport: Number(out) };
}

/** Parses `ovs-ofctl dump-ports-desc` into name -> OpenFlow port number (LOCAL left out). */
export function parsePortsDesc(text: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const m of text.matchAll(/^\s*(\d+)\(([^)]+)\):/gm)) ports.set(m[2]!, Number(m[1]));
  return ports;
}

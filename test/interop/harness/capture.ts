/**
 * Bounded packet capture in a test namespace, and BGP message extraction from the pcap.
 *
 * `Capture.start()` runs `timeout SECONDS tcpdump -i IF -s 0 -U -c MAX -w FILE FILTER` in the
 * namespace (bounded in time and in packets; `--immediate-mode -U` hands each packet over and
 * writes it at once, so a stop loses nothing) and waits until tcpdump says it is listening. `stop()` kills `timeout` by PID (it
 * forwards the TERM to tcpdump).
 *
 * `bgpStreams()` reads the pcap itself (classic libpcap format, Ethernet, IPv4/IPv6, TCP),
 * reassembles each TCP direction by sequence number and cuts it into BGP messages by the
 * marker and length field: exact bytes, whatever the segmentation. `tsharkBgp()` gives
 * Wireshark's decode of the same messages (`tshark -T json -x` with TCP desegmentation, one
 * object per BGP PDU with each field's raw bytes and offset) for field-by-field comparison.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Lab, sh, waitFor } from '../../helpers/netns.js';

export interface CaptureOptions {
  /** Interface inside the namespace (default `eth0`). */
  readonly iface?: string;
  /** Hard limit in seconds (default 60). */
  readonly seconds?: number;
  /** Hard limit in packets (default 20000). */
  readonly maxPackets?: number;
  /** BPF filter (default `tcp port 179`). */
  readonly filter?: string;
}

/** A running tcpdump. */
export class Capture {
  readonly file: string;
  readonly ns: string;
  private readonly lab: Lab;
  private child: ChildProcess | undefined;

  private constructor(lab: Lab, ns: string, file: string) {
    this.lab = lab;
    this.ns = ns;
    this.file = file;
  }

  static async start(lab: Lab, ns: string, file: string, opts: CaptureOptions = {}): Promise<Capture> {
    const c = new Capture(lab, ns, file);
    const seconds = opts.seconds ?? 60;
    const max = opts.maxPackets ?? 20_000;
    if (!(seconds > 0 && seconds <= 600) || !(max > 0 && max <= 200_000)) throw new Error('capture limits: 1..600 s, 1..200000 packets');
    c.child = lab.spawn(ns, 'timeout', [
      // --immediate-mode: without it packets wait in the kernel ring (TPACKET_V3 block timeout)
      // and the ones still there when tcpdump is stopped are lost: the end of a session
      // (the NOTIFICATION, the last withdrawals) went missing that way.
      String(seconds), 'tcpdump', '-i', opts.iface ?? 'eth0', '-s', '0', '-U', '--immediate-mode', '-n', '-c', String(max), '-w', file,
      ...(opts.filter ?? 'tcp port 179').split(' '),
    ]);
    const out = () => (c.child as ChildProcess & { output?: () => string }).output?.() ?? '';
    await waitFor(`tcpdump listening in ${ns}`, 5000, () => {
      if (c.child?.exitCode !== null) throw new Error(`tcpdump exited: ${out()}`);
      return /listening on/.test(out());
    }, 50).catch((e: unknown) => {
      console.error(`--- tcpdump output:\n${out()}`);
      throw e;
    });
    return c;
  }

  /** Whether tcpdump is still running (false once it hit a limit or was stopped). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** tcpdump's messages (stderr), e.g. its closing packet counts. */
  output(): string {
    return (this.child as (ChildProcess & { output?: () => string }) | undefined)?.output?.() ?? '';
  }

  /**
   * Stop tcpdump (by the PID of its `timeout` parent) and wait for the file to be complete.
   * Returns false (and prints tcpdump's output) when it had already stopped by itself: the
   * capture hit its time or packet limit and may be missing the end.
   */
  async stop(): Promise<boolean> {
    if (this.child === undefined) return true;
    const wasRunning = this.running;
    if (!wasRunning) console.error(`--- tcpdump in ${this.ns} had stopped early (exit ${String(this.child.exitCode)}):\n${this.output()}`);
    await this.lab.kill(this.child);
    return wasRunning;
  }
}

// ---------------------------------------------------------------- pcap reading

/** One TCP segment with payload. */
interface Segment {
  readonly time: number;
  readonly frame: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly syn: boolean;
  readonly payload: Buffer;
}

function ip4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** IPv6 text as RFC 5952 (and tshark) write it: the longest run of two or more zero groups is `::`. */
function ip6(b: Buffer, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(o + i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Every TCP segment of a classic pcap file (Ethernet or Linux cooked capture). */
export function readTcpSegments(file: string): Segment[] {
  const b = readFileSync(file);
  if (b.length < 24) return [];
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a pcap file`);
  const nano = magic === 0xa1b23c4d || b.readUInt32BE(0) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linktype = u32(20);
  const out: Segment[] = [];
  let o = 24;
  let frame = 0;
  while (o + 16 <= b.length) {
    const time = u32(o) + u32(o + 4) / (nano ? 1e9 : 1e6);
    const incl = u32(o + 8);
    const start = o + 16;
    o = start + incl;
    frame++;
    if (o > b.length) break;
    let p = start;
    let ethertype: number;
    if (linktype === 1) {
      ethertype = b.readUInt16BE(p + 12);
      p += 14;
      while (ethertype === 0x8100 && p + 4 <= o) { ethertype = b.readUInt16BE(p + 2); p += 4; }
    } else if (linktype === 113) {
      ethertype = b.readUInt16BE(p + 14);
      p += 16;
    } else continue;
    let src: string, dst: string, proto: number, l4: number, l4end: number;
    if (ethertype === 0x0800) {
      const ihl = (b[p]! & 0x0f) * 4;
      proto = b[p + 9]!;
      src = ip4(b, p + 12);
      dst = ip4(b, p + 16);
      l4 = p + ihl;
      l4end = Math.min(o, p + b.readUInt16BE(p + 2));
    } else if (ethertype === 0x86dd) {
      proto = b[p + 6]!;
      src = ip6(b, p + 8);
      dst = ip6(b, p + 24);
      l4 = p + 40;
      l4end = Math.min(o, l4 + b.readUInt16BE(p + 4));
    } else continue;
    if (proto !== 6 || l4 + 20 > l4end) continue;
    const doff = (b[l4 + 12]! >> 4) * 4;
    const flags = b[l4 + 13]!;
    out.push({
      time, frame, src, dst,
      sport: b.readUInt16BE(l4), dport: b.readUInt16BE(l4 + 2),
      seq: b.readUInt32BE(l4 + 4), syn: (flags & 0x02) !== 0,
      payload: b.subarray(l4 + doff, l4end),
    });
  }
  return out;
}

/** One BGP message cut from a reassembled TCP direction. */
export interface CapturedMessage {
  /** `src:port>dst:port` */
  readonly flow: string;
  readonly src: string;
  readonly dst: string;
  /** pcap frame number (1-based) in which the message's last byte arrived. */
  readonly frame: number;
  readonly time: number;
  /** Message type octet (1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH). */
  readonly type: number;
  readonly bytes: Buffer;
}

/**
 * Reassemble every TCP direction of the capture (by sequence number; retransmitted bytes are
 * dropped) and cut it into BGP messages. Messages come back in capture order (by the frame that
 * completed them). A direction whose bytes do not start with a BGP marker is skipped; a gap
 * (lost segment) ends that direction's extraction.
 */
export function bgpMessages(file: string): CapturedMessage[] {
  const flows = new Map<string, { isn: number | undefined; segs: Segment[] }>();
  for (const s of readTcpSegments(file)) {
    const key = `${s.src}:${s.sport}>${s.dst}:${s.dport}`;
    let f = flows.get(key);
    if (f === undefined) { f = { isn: undefined, segs: [] }; flows.set(key, f); }
    if (s.syn) f.isn = s.seq;
    if (s.payload.length > 0) f.segs.push(s);
  }
  const all: CapturedMessage[] = [];
  for (const [flow, f] of flows) {
    if (f.segs.length === 0) continue;
    // relative sequence numbers (mod 2^32) from the ISN (or the first data segment)
    const base = f.isn !== undefined ? (f.isn + 1) >>> 0 : f.segs[0]!.seq;
    const chunks: { rel: number; seg: Segment }[] = f.segs.map((seg) => ({ rel: (seg.seq - base) >>> 0, seg }));
    chunks.sort((a, b) => a.rel - b.rel || a.seg.frame - b.seg.frame);
    const parts: Buffer[] = [];
    const frameAt: { end: number; frame: number; time: number }[] = [];
    let next = 0;
    for (const { rel, seg } of chunks) {
      if (rel > next) break; // gap: a lost segment
      const skip = next - rel;
      if (skip >= seg.payload.length) continue; // pure retransmission
      parts.push(seg.payload.subarray(skip));
      next += seg.payload.length - skip;
      frameAt.push({ end: next, frame: seg.frame, time: seg.time });
    }
    const stream = Buffer.concat(parts);
    const [src, dst] = flow.split('>') as [string, string];
    let o = 0;
    let fi = 0;
    while (o + 19 <= stream.length) {
      if (!stream.subarray(o, o + 16).equals(marker)) break;
      const len = stream.readUInt16BE(o + 16);
      if (len < 19 || o + len > stream.length) break;
      while (fi < frameAt.length - 1 && frameAt[fi]!.end < o + len) fi++;
      const at = frameAt[fi]!;
      all.push({
        flow, src: src.replace(/:\d+$/, ''), dst: dst.replace(/:\d+$/, ''),
        frame: at.frame, time: at.time, type: stream[o + 18]!, bytes: Buffer.from(stream.subarray(o, o + len)),
      });
      o += len;
    }
  }
  all.sort((a, b) => a.frame - b.frame || a.flow.localeCompare(b.flow));
  return all;
}

const marker = Buffer.alloc(16, 0xff);

// ---------------------------------------------------------------- tshark

/** tshark's JSON for one BGP PDU: field name -> value (string, nested object, or array of them). */
export type TsharkTree = { readonly [field: string]: TsharkValue };
export type TsharkValue = string | TsharkTree | readonly TsharkValue[];

/** One BGP PDU as tshark decoded it, with the frame it was in and its direction. */
export interface TsharkPdu {
  readonly frame: number;
  readonly src: string;
  readonly dst: string;
  /** `src:port>dst:port`, as `CapturedMessage.flow`. */
  readonly flow: string;
  readonly tree: TsharkTree;
}

/**
 * Wireshark's decode of every BGP PDU in a pcap (`-d tcp.port==PORT,bgp` so non-179 ports
 * work; TCP desegmentation on; `--no-duplicate-keys` merges repeated fields into arrays).
 * With `-x` every field also has `NAME_raw: [hex, offset, length, bitmask, type]`.
 */
export function tsharkBgp(file: string, port = 179): TsharkPdu[] {
  const out = execFileSync('tshark', [
    '-r', file, '-d', `tcp.port==${port},bgp`, '-o', 'tcp.desegment_tcp_streams:TRUE',
    '-Y', 'bgp', '-T', 'json', '-x', '--no-duplicate-keys', '-J', 'frame ip ipv6 tcp bgp',
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
  const packets = JSON.parse(out) as { _source: { layers: Record<string, unknown> } }[];
  const pdus: TsharkPdu[] = [];
  for (const p of packets) {
    const layers = p._source.layers;
    const frame = Number((layers.frame as TsharkTree | undefined)?.['frame.number'] ?? 0);
    const ipl = (layers.ip ?? layers.ipv6) as TsharkTree | undefined;
    const src = String(ipl?.['ip.src'] ?? ipl?.['ipv6.src'] ?? '');
    const dst = String(ipl?.['ip.dst'] ?? ipl?.['ipv6.dst'] ?? '');
    const tcp = layers.tcp as TsharkTree | undefined;
    const flow = `${src}:${String(tcp?.['tcp.srcport'] ?? '')}>${dst}:${String(tcp?.['tcp.dstport'] ?? '')}`;
    const bgp = layers.bgp;
    const list = Array.isArray(bgp) ? bgp : [bgp];
    for (const tree of list) {
      if (tree !== undefined && typeof tree === 'object') pdus.push({ frame, src, dst, flow, tree: tree as TsharkTree });
    }
  }
  return pdus;
}

/** tshark's version line, e.g. `TShark (Wireshark) 4.0.17 ...`. */
export function tsharkVersion(): string {
  return sh('tshark', ['--version']).split('\n')[0] ?? '';
}

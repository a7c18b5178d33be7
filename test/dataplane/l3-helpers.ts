/** Shared set-up for the layer-3 tests: frames built by hand, one-engine and two-engine fabrics. */
import {
  EtherType, FullUnderlay, IpProto, VirtualHost, VxlanEngine, checksum, encodeEthernetHeader, encodeIpv4Header, encodeIpv6Header, macBytes,
  parseIp, setIcmp6Checksum,
} from '../../src/dataplane/index.js';

export const gwMac = '02:00:5e:00:01:01';
export const rmacA = '02:aa:00:00:00:0a';
export const rmacB = '02:aa:00:00:00:0b';
export const l3vni = 5000;
export const gw100 = { vrf: 'blue', mac: gwMac, addresses: ['10.1.0.254/24', '2001:db8:1::1/64'] };
export const gw200 = { vrf: 'blue', mac: gwMac, addresses: ['10.2.0.254/24', '2001:db8:2::1/64'] };

/** An IPv4 frame (ICMP echo request unless `protocol` says otherwise). */
export function ipv4Frame(o: { srcMac: string; dstMac: string; src: string; dst: string; ttl?: number; payload?: Buffer; protocol?: number; id?: number; tos?: number; df?: boolean }): Buffer {
  const payload = o.payload ?? echoPayload(8);
  const f = Buffer.alloc(Math.max(60, 14 + 20 + payload.length));
  let off = encodeEthernetHeader({ dst: macBytes(o.dstMac), src: macBytes(o.srcMac), etherType: EtherType.ipv4 }, f, 0);
  off = encodeIpv4Header({
    src: parseIp(o.src).bytes, dst: parseIp(o.dst).bytes, protocol: o.protocol ?? IpProto.icmp, payloadLength: payload.length, ttl: o.ttl ?? 64,
    id: o.id ?? 1, tos: o.tos ?? 0, dontFragment: o.df ?? true,
  }, f, off);
  payload.copy(f, off);
  return f;
}

/** An ICMPv6 echo request frame. */
export function ipv6Frame(o: { srcMac: string; dstMac: string; src: string; dst: string; hops?: number }): Buffer {
  const payload = echoPayload(8, 128);
  const f = Buffer.alloc(14 + 40 + payload.length);
  let off = encodeEthernetHeader({ dst: macBytes(o.dstMac), src: macBytes(o.srcMac), etherType: EtherType.ipv6 }, f, 0);
  off = encodeIpv6Header({ src: parseIp(o.src).bytes, dst: parseIp(o.dst).bytes, nextHeader: IpProto.icmpv6, payloadLength: payload.length, hopLimit: o.hops ?? 64 }, f, off);
  payload.copy(f, off);
  setIcmp6Checksum(f, 14);
  return f;
}

/** A Neighbor Solicitation for `target` with the source link-layer option. */
export function nsFrame(srcMac: string, src: string, target: string): Buffer {
  const t = parseIp(target).bytes;
  const f = Buffer.alloc(14 + 40 + 32);
  let off = encodeEthernetHeader({ dst: Buffer.from([0x33, 0x33, 0xff, t[13]!, t[14]!, t[15]!]), src: macBytes(srcMac), etherType: EtherType.ipv6 }, f, 0);
  const snm = Buffer.from('ff0200000000000000000001ff000000', 'hex');
  t.copy(snm, 13, 13);
  off = encodeIpv6Header({ src: parseIp(src).bytes, dst: snm, nextHeader: IpProto.icmpv6, payloadLength: 32, hopLimit: 255 }, f, off);
  f[off] = 135;
  t.copy(f, off + 8);
  f[off + 24] = 1;
  f[off + 25] = 1;
  macBytes(srcMac).copy(f, off + 26);
  setIcmp6Checksum(f, 14);
  return f;
}

/** An ICMP echo request (type 8, or `type`) with `n` data bytes and its checksum. */
export function echoPayload(n: number, type = 8): Buffer {
  const p = Buffer.alloc(8 + n);
  p[0] = type;
  p.writeUInt16BE(0x1234, 4);
  p.writeUInt16BE(1, 6);
  for (let i = 0; i < n; i++) p[8 + i] = i;
  if (type === 8) p.writeUInt16BE(checksum(p, 0, p.length), 2);
  return p;
}

/** One engine, VRF blue, VNI 100 (10.1.0.0/24) and VNI 200 (10.2.0.0/24), each with the anycast gateway. */
export function oneEngine(): { e: VxlanEngine; h1: VirtualHost; h2: VirtualHost } {
  const e = new VxlanEngine();
  e.addVni(100);
  e.addVni(200);
  e.l3.addVrf('blue', { l3vni, routerMac: rmacA });
  e.l3.setGateway(100, gw100);
  e.l3.setGateway(200, gw200);
  const h1 = new VirtualHost({ name: 'h1', mac: '02:00:00:00:01:01', ipv4: '10.1.0.1/24', gateway4: '10.1.0.254', ipv6: '2001:db8:1::10/64', gateway6: '2001:db8:1::1' });
  const h2 = new VirtualHost({ name: 'h2', mac: '02:00:00:00:02:02', ipv4: '10.2.0.2/24', gateway4: '10.2.0.254', ipv6: '2001:db8:2::20/64', gateway6: '2001:db8:2::1' });
  e.attachPort(100, h1);
  e.attachPort(200, h2);
  return { e, h1, h2 };
}

/** Two engines joined by full-mode underlays; every outer packet is kept in `wire`. */
export function twoEngines(): { a: VxlanEngine; b: VxlanEngine; wire: Buffer[]; ipA: string; ipB: string } {
  const wire: Buffer[] = [];
  const ends: FullUnderlay[] = [];
  const mk = (local: string, peer: () => FullUnderlay | undefined) => new FullUnderlay({
    localIp4: local, localMac: '02:ff:00:00:00:01', gatewayMac: '02:ff:00:00:00:02',
    sink: (buf, s, e) => {
      wire.push(Buffer.from(buf.subarray(s, e)));
      peer()?.receive(buf, s, e);
    },
  });
  const ipA = '198.18.3.1';
  const ipB = '198.18.3.2';
  ends.push(mk(ipA, () => ends[1]), mk(ipB, () => ends[0]));
  return { a: new VxlanEngine({ underlay: ends[0] }), b: new VxlanEngine({ underlay: ends[1] }), wire, ipA, ipB };
}

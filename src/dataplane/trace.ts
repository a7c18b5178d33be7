/**
 * Tracing for the UDP underlay: the kernel builds the outer headers of UDP-payload mode, so a
 * trace rebuilds them (Ethernet with zero MACs, IPv4 with its checksum or IPv6, UDP with its
 * checksum over IPv6) around the VXLAN payload and writes the packet to a pcap file that
 * Wireshark decodes as VXLAN. Tracing copies every packet: it is a debugging aid, off the hot
 * path when not enabled.
 */
import { parseIp } from './addr.js';
import { finish, pseudoSum6, sum16 } from './checksum.js';
import { EtherType, ethernetHeaderLength } from './ethernet.js';
import { IpProto, encodeIpv4Header, ipv4HeaderLength } from './ipv4.js';
import { encodeIpv6Header, ipv6HeaderLength } from './ipv6.js';
import { encodeUdpHeader, udpHeaderLength } from './udp.js';
import type { PcapWriter } from './pcap.js';

const zeroMac = Buffer.alloc(6);

/** Writes one UDP datagram (payload = `parts` concatenated) as a full Ethernet packet to `writer`. */
export function traceDatagram(writer: PcapWriter, src: string, srcPort: number, dst: string, dstPort: number, parts: readonly Buffer[]): void {
  const s = parseIp(src);
  const d = parseIp(dst);
  if (s.family !== d.family) return;
  let len = 0;
  for (const p of parts) len += p.length;
  const ipLen = s.family === 4 ? ipv4HeaderLength : ipv6HeaderLength;
  const buf = Buffer.alloc(ethernetHeaderLength + ipLen + udpHeaderLength + len);
  zeroMac.copy(buf, 0);
  zeroMac.copy(buf, 6);
  buf.writeUInt16BE(s.family === 4 ? EtherType.ipv4 : EtherType.ipv6, 12);
  const ip = ethernetHeaderLength;
  const udp = s.family === 4
    ? encodeIpv4Header({ src: s.bytes, dst: d.bytes, protocol: IpProto.udp, payloadLength: udpHeaderLength + len }, buf, ip)
    : encodeIpv6Header({ src: s.bytes, dst: d.bytes, nextHeader: IpProto.udp, payloadLength: udpHeaderLength + len }, buf, ip);
  let off = encodeUdpHeader(srcPort, dstPort, len, 0, buf, udp);
  for (const p of parts) off += p.copy(buf, off);
  if (s.family === 6) {
    // RFC 8200 8.1: mandatory over IPv6 (as the kernel sends it)
    const c = finish(sum16(buf, udp, off, pseudoSum6(buf, ip + 8, ip + 24, IpProto.udp, udpHeaderLength + len)));
    buf.writeUInt16BE(c === 0 ? 0xffff : c, udp + 6);
  }
  writer.write(buf);
}

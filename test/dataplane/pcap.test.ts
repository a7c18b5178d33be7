/**
 * Full-mode encapsulation written to a pcap file and read back by tshark: what a user opens in
 * Wireshark. Every outer and inner checksum we computed must be Good.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FullUnderlay, PcapWriter, VirtualHost, VxlanEngine } from '../../src/dataplane/index.js';
import { missingReal, sh, uniqueName } from '../helpers/netns.js';

const files: string[] = [];
afterAll(() => { for (const f of files) rmSync(f, { force: true }); });

/** Two engines back to back in full mode; every packet is also written to `pcap`. */
async function traced(family: 4 | 6, pcap: PcapWriter): Promise<void> {
  const ends: FullUnderlay[] = [];
  const [ipA, ipB] = family === 4 ? ['198.18.2.1', '198.18.2.2'] : ['fd00:198:18::1', 'fd00:198:18::2'];
  const mk = (ip: string, mac: string, gw: string, peer: () => FullUnderlay) => new FullUnderlay({
    ...(family === 4 ? { localIp4: ip } : { localIp6: ip }), localMac: mac, gatewayMac: gw,
    sink: (b, s, e) => {
      pcap.write(b, s, e);
      peer().receive(b, s, e);
    },
  });
  ends.push(mk(ipA, '02:ee:00:00:00:01', '02:ee:00:00:00:02', () => ends[1]!), mk(ipB, '02:ee:00:00:00:02', '02:ee:00:00:00:01', () => ends[0]!));
  const a = new VxlanEngine({ underlay: ends[0]! });
  const b = new VxlanEngine({ underlay: ends[1]! });
  a.addVni(101);
  b.addVni(101);
  a.setFloodList(101, [ipB]);
  b.setFloodList(101, [ipA]);
  const ha = new VirtualHost({ mac: '02:00:00:00:00:01', ipv4: '10.0.0.1' });
  const hb = new VirtualHost({ mac: '02:00:00:00:00:02', ipv4: '10.0.0.2' });
  a.attachPort(101, ha);
  b.attachPort(101, hb);
  const r = await ha.ping('10.0.0.2', { count: 3, timeoutMs: 200, size: 1000 });
  expect(r.received).toBe(3);
}

describe('pcap writer', () => {
  it('writes a libpcap file: global header, one record per packet', async () => {
    const path = `/tmp/${uniqueName('dpw')}.pcap`;
    files.push(path);
    const w = new PcapWriter(path);
    await traced(4, w);
    w.close();
    const f = readFileSync(path);
    expect(f.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(f.readUInt32LE(20)).toBe(1); // LINKTYPE_ETHERNET
    let off = 24;
    let n = 0;
    while (off < f.length) {
      const incl = f.readUInt32LE(off + 8);
      expect(f.readUInt32LE(off + 12)).toBe(incl);
      off += 16 + incl;
      n++;
    }
    expect(off).toBe(f.length);
    expect(n).toBe(w.packets);
    expect(n).toBe(8); // ARP request + reply, 3 echo requests + 3 replies
  });
});

const why = missingReal(['tshark']);
describe.skipIf(why !== undefined)('tshark reads our full-mode packets', () => {
  for (const family of [4, 6] as const) {
    it(`IPv${family} outer: VXLAN VNI 101, entropy ports, every checksum Good`, async () => {
      const path = `/tmp/${uniqueName('dpt')}.pcap`;
      files.push(path);
      const w = new PcapWriter(path);
      await traced(family, w);
      w.close();
      const out = sh('tshark', ['-r', path, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
        '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=;', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'vxlan.vni',
        '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'icmp.checksum.status', '-e', 'frame.protocols', '-e', '_ws.expert.severity'], { timeoutMs: 60_000 })
        .trim().split('\n');
      expect(out.length).toBe(8);
      let icmp = 0;
      for (const line of out) {
        const [sport, dport, vni, ipStatus, udpStatus, icmpStatus, protocols] = line.split('|');
        expect(Number(sport)).toBeGreaterThanOrEqual(49152);
        expect(Number(dport)).toBe(4789);
        expect(vni).toBe('101');
        expect(protocols).toMatch(family === 4 ? /^eth:ethertype:ip:udp:vxlan:eth:ethertype:/ : /^eth:ethertype:ipv6:udp:vxlan:eth:ethertype:/);
        // 1 = Good: outer IPv4 header (ours) and inner IPv4 headers (the virtual host's)
        for (const s of ipStatus!.split(';').filter((x) => x !== '')) expect(s).toBe('1');
        // over IPv6 we compute the UDP checksum: Good (1); over IPv4 it is zero (RFC 7348 5): Not present (3)
        expect(udpStatus).toBe(family === 6 ? '1' : '3');
        if (icmpStatus) {
          icmp++;
          expect(icmpStatus).toBe('1');
        }
      }
      expect(icmp).toBe(6);
      // and no malformed-packet or bad-checksum expert info anywhere
      const expert = sh('tshark', ['-r', path, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', '_ws.malformed || _ws.expert.severity >= "warning"'], { timeoutMs: 60_000 });
      expect(expert.trim()).toBe('');
    });
  }
});

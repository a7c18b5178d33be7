import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ArpOp, BufferPool, EtherType, checksum, decodeArp, decodeEthernet, decodeIcmp, decodeIpv4, decodeIpv6, decodeNeighborMessage, decodeUdp,
  encodeArp, encodeEthernetHeader, encodeIcmpEcho, encodeIpv4Header, encodeIpv6Header, encodeUdpHeader, ethernetPayloadOffset,
  formatIp, formatMac, icmpEchoReplyInPlace, isArpIpv4, isGroupMacKey, isIpv6At, ipv4HeaderLengthAt, macKey, macKeyFromText, macKeyToText,
  parseIp, sum16, fold, updateChecksum, writeMacKey,
} from '../../src/dataplane/index.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const range = fc.tuple(fc.integer({ min: -4, max: 130 }), fc.integer({ min: -4, max: 130 }));

describe('frame parsers never throw on random bytes (property)', () => {
  it('every decoder returns a value or undefined for any bytes and any range', () => {
    fc.assert(fc.property(bytes(0, 128), range, (b, [s, e]) => {
      for (const f of [decodeEthernet, decodeArp, decodeIpv4, decodeIpv6, decodeUdp, decodeIcmp, decodeNeighborMessage]) {
        const v = f(b, s, e);
        if (v !== undefined) expect(typeof v).toBe('object');
      }
      expect(typeof ethernetPayloadOffset(b, s, e)).toBe('number');
      expect(typeof ipv4HeaderLengthAt(b, s, e)).toBe('number');
      expect(typeof isIpv6At(b, s, e)).toBe('boolean');
      expect(typeof isArpIpv4(b, s, e)).toBe('boolean');
    }), { numRuns: 3000 });
  });

  it('decoded views stay inside the given range', () => {
    fc.assert(fc.property(bytes(0, 128), range, (b, [s, e]) => {
      const eth = decodeEthernet(b, s, e);
      if (eth !== undefined) {
        expect(eth.payloadOffset).toBeGreaterThanOrEqual(s + 14);
        expect(eth.payloadOffset + eth.payload.length).toBe(e);
      }
      const ip = decodeIpv4(b, s, e);
      if (ip !== undefined) expect(ip.payloadOffset + ip.payload.length).toBeLessThanOrEqual(e);
      const ip6 = decodeIpv6(b, s, e);
      if (ip6 !== undefined) expect(ip6.payloadOffset + ip6.payload.length).toBeLessThanOrEqual(e);
      const udp = decodeUdp(b, s, e);
      if (udp !== undefined) expect(udp.payloadOffset + udp.payload.length).toBeLessThanOrEqual(e);
    }), { numRuns: 2000 });
  });
});

describe('frame encoders round-trip (property, at a non-zero offset)', () => {
  it('Ethernet with and without an 802.1Q tag', () => {
    fc.assert(fc.property(bytes(6, 6), bytes(6, 6), fc.integer({ min: 0x0600, max: 0xffff }).filter((t) => t !== 0x8100 && t !== 0x88a8),
      fc.option(fc.integer({ min: 0, max: 4095 }), { nil: undefined }), fc.integer({ min: 0, max: 7 }), bytes(0, 40), fc.nat(9), (dst, src, etherType, vlan, pcp, payload, at) => {
        const h = { dst, src, etherType, ...(vlan === undefined ? {} : { vlan, pcp }) };
        const buf = Buffer.alloc(at + 18 + payload.length);
        const p = encodeEthernetHeader(h, buf, at);
        payload.copy(buf, p);
        const d = decodeEthernet(buf, at, p + payload.length)!;
        expect(d.dst.equals(dst) && d.src.equals(src)).toBe(true);
        expect(d.etherType).toBe(etherType);
        expect(d.vlan).toBe(vlan);
        expect(d.pcp).toBe(vlan === undefined ? 0 : pcp);
        expect(d.payload.equals(payload)).toBe(true);
      }));
  });

  it('ARP, IPv4, IPv6, UDP, ICMP echo', () => {
    fc.assert(fc.property(bytes(6, 6), bytes(4, 4), bytes(6, 6), bytes(4, 4), fc.constantFrom(1, 2), fc.nat(9), (sm, si, tm, ti, op, at) => {
      const buf = Buffer.alloc(at + 28);
      encodeArp({ op, senderMac: sm, senderIp: si, targetMac: tm, targetIp: ti }, buf, at);
      const d = decodeArp(buf, at, at + 28)!;
      expect([d.op, d.senderMac.equals(sm), d.senderIp.equals(si), d.targetMac.equals(tm), d.targetIp.equals(ti)]).toEqual([op, true, true, true, true]);
    }));
    fc.assert(fc.property(bytes(4, 4), bytes(4, 4), fc.integer({ min: 0, max: 255 }), bytes(0, 60), fc.nat(0xffff), fc.nat(9), (src, dst, protocol, payload, id, at) => {
      const buf = Buffer.alloc(at + 20 + payload.length + 5);
      const p = encodeIpv4Header({ src, dst, protocol, payloadLength: payload.length, id }, buf, at);
      payload.copy(buf, p);
      const d = decodeIpv4(buf, at, buf.length)!; // trailing bytes (link padding) are left out
      expect(d.checksumValid).toBe(true);
      expect([d.protocol, d.id, d.dontFragment, d.src.equals(src), d.dst.equals(dst), d.payload.equals(payload)]).toEqual([protocol, id, true, true, true, true]);
    }));
    fc.assert(fc.property(bytes(16, 16), bytes(16, 16), fc.integer({ min: 0, max: 255 }), bytes(0, 60), fc.integer({ min: 0, max: 0xfffff }), (src, dst, nextHeader, payload, flowLabel) => {
      const buf = Buffer.alloc(3 + 40 + payload.length);
      const p = encodeIpv6Header({ src, dst, nextHeader, payloadLength: payload.length, flowLabel, trafficClass: 0xb8 }, buf, 3);
      payload.copy(buf, p);
      const d = decodeIpv6(buf, 3, buf.length)!;
      expect([d.nextHeader, d.flowLabel, d.trafficClass, d.src.equals(src), d.dst.equals(dst), d.payload.equals(payload)]).toEqual([nextHeader, flowLabel, 0xb8, true, true, true]);
    }));
    fc.assert(fc.property(fc.nat(0xffff), fc.nat(0xffff), bytes(0, 40), (sp, dp, payload) => {
      const buf = Buffer.alloc(1 + 8 + payload.length);
      payload.copy(buf, encodeUdpHeader(sp, dp, payload.length, 0, buf, 1));
      const d = decodeUdp(buf, 1, buf.length)!;
      expect([d.srcPort, d.dstPort, d.length, d.payload.equals(payload)]).toEqual([sp, dp, 8 + payload.length, true]);
    }));
    fc.assert(fc.property(fc.nat(0xffff), fc.nat(0xffff), bytes(0, 64), (id, seq, data) => {
      const buf = Buffer.alloc(2 + 8 + data.length);
      encodeIcmpEcho(8, id, seq, data, buf, 2);
      const d = decodeIcmp(buf, 2, buf.length)!;
      expect([d.type, d.id, d.seq, d.checksumValid, d.data.equals(data)]).toEqual([8, id, seq, true, true]);
      icmpEchoReplyInPlace(buf, 2);
      const r = decodeIcmp(buf, 2, buf.length)!;
      expect([r.type, r.checksumValid]).toEqual([0, true]);
    }));
  });
});

describe('checksums (RFC 1071, RFC 1624)', () => {
  it('the RFC 1071 section 3 example sums to ddf2', () => {
    expect(fold(sum16(Buffer.from('0001f203f4f5f6f7', 'hex'), 0, 8))).toBe(0xddf2);
    // an odd length pads the last byte with zero (RFC 1071 4.1): 0001 + f203 + f4f5 + f600
    expect(fold(sum16(Buffer.from('0001f203f4f5f6', 'hex'), 0, 7))).toBe(0xdcfb);
  });

  it('an incremental update equals recomputing (property)', () => {
    fc.assert(fc.property(bytes(2, 64).map((b) => (b.length % 2 ? b.subarray(1) : b)), fc.nat(), fc.nat(0xffff), (b, i, v) => {
      fc.pre(b.length >= 2);
      const at = (i % (b.length / 2)) * 2;
      const before = checksum(b, 0, b.length);
      const old = b.readUInt16BE(at);
      b.writeUInt16BE(v, at);
      const after = checksum(b, 0, b.length);
      // equal as ones' complement numbers: 0x0000 and 0xffff are the same value
      const inc = updateChecksum(before, old, v);
      expect(inc === after || (inc ^ after) === 0xffff).toBe(true);
    }));
  });
});

describe('addresses and MACs at the API edge', () => {
  it('MAC text, keys and bytes agree (property)', () => {
    fc.assert(fc.property(bytes(6, 6), (m) => {
      const k = macKey(m, 0);
      const text = formatMac(m, 0);
      expect(macKeyFromText(text)).toBe(k);
      expect(macKeyToText(k)).toBe(text);
      const b = Buffer.alloc(6);
      writeMacKey(b, 0, k);
      expect(b.equals(m)).toBe(true);
      expect(isGroupMacKey(k)).toBe((m[0]! & 1) === 1);
    }));
    expect(() => macKeyFromText('02:00:00:00:00')).toThrow(TypeError);
  });

  it('parses and prints IPv4 and IPv6 (RFC 5952 text)', () => {
    expect(parseIp('10.0.0.11').bytes.toString('hex')).toBe('0a00000b');
    expect(parseIp('FD00:0:0:0::1').text).toBe('fd00::1');
    expect(formatIp(parseIp('2001:db8:0:0:1:0:0:1').bytes)).toBe('2001:db8::1:0:0:1');
    expect(formatIp(parseIp('::').bytes)).toBe('::');
    expect(formatIp(parseIp('::ffff:10.0.0.1').bytes)).toBe('::ffff:10.0.0.1') // RFC 5952 5: mixed notation, as every layer prints it;
    expect(() => parseIp('10.0.0.256')).toThrow(TypeError);
  });
});

describe('buffer pool', () => {
  it('hands out slots with headroom and takes them back', () => {
    const pool = new BufferPool({ slots: 3, frameSize: 1500 });
    const a = pool.alloc(100)!;
    const b = pool.alloc(1500)!;
    const c = pool.alloc(60)!;
    expect(pool.alloc(60)).toBeUndefined();
    for (const f of [a, b, c]) expect(pool.headroomOf(f)).toBe(pool.headroom);
    expect(pool.headroomOf(Buffer.alloc(10))).toBe(-1);
    expect(new Set([a, b, c].map((f) => pool.slotOf(f))).size).toBe(3);
    pool.free(b);
    expect(pool.available).toBe(1);
    expect(pool.slotOf(pool.alloc(10)!)).toBe(pool.slotOf(b));
    expect(() => pool.alloc(1501)).toThrow(RangeError);
    expect(() => pool.free(Buffer.alloc(4))).toThrow(RangeError);
  });

  it('ARP op codes and EtherTypes are the IANA values', () => {
    expect([ArpOp.request, ArpOp.reply, EtherType.arp, EtherType.ipv4, EtherType.ipv6, EtherType.vlan]).toEqual([1, 2, 0x0806, 0x0800, 0x86dd, 0x8100]);
  });
});

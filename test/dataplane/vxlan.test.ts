import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DecapResult, DecapStatus, OuterTemplate, checksum, decapFull, decapUdpPayload, encapUdpPayload, encodeVxlanHeader,
  entropyPort, flowHash, fullOverhead4, fullOverhead6, vxlanHeader, vxlanPort,
} from '../../src/dataplane/index.js';

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((a) => Buffer.from(a));
const ip4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.from(a));
const ip6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
const frame = fc.uint8Array({ minLength: 14, maxLength: 1514 }).map((a) => Buffer.from(a));
const vni = fc.integer({ min: 0, max: 0xffffff });

describe('VXLAN header', () => {
  it('is flags 0x08, reserved zero, the VNI in the top 24 bits of the second word (RFC 7348 5)', () => {
    expect(vxlanHeader(101).toString('hex')).toBe('0800000000006500');
    const b = Buffer.alloc(10, 0xee);
    expect(encodeVxlanHeader(0xabcdef, b, 1)).toBe(9);
    expect(b.toString('hex')).toBe('ee08000000abcdef00ee');
  });

  it('decap rejects a missing I flag and short packets', () => {
    const r = new DecapResult();
    const b = Buffer.alloc(8 + 14);
    expect(decapUdpPayload(b, 0, b.length, r)).toBe(DecapStatus.badFlags);
    expect(decapUdpPayload(b, 0, 21, r)).toBe(DecapStatus.tooShort);
    b[0] = 0x08 | 0x80; // other flag bits are ignored on receipt
    b.writeUInt32BE(0x00006500, 4);
    expect(decapUdpPayload(b, 0, b.length, r)).toBe(DecapStatus.ok);
    expect(r.vni).toBe(101);
  });
});

describe('encap then decap returns the identical frame (property)', () => {
  it('UDP-payload mode, at any offset', () => {
    fc.assert(fc.property(frame, vni, fc.nat(64), (f, v, pad) => {
      const buf = Buffer.alloc(pad + 8 + f.length + 3, 0xaa);
      f.copy(buf, pad + 8);
      const start = encapUdpPayload(buf, pad + 8, v);
      expect(start).toBe(pad);
      const r = new DecapResult();
      expect(decapUdpPayload(buf, start, pad + 8 + f.length, r)).toBe(DecapStatus.ok);
      expect(r.vni).toBe(v);
      expect(buf.subarray(r.frameStart, r.frameEnd).equals(f)).toBe(true);
    }), { numRuns: 300 });
  });

  for (const family of [4, 6] as const) {
    it(`full mode over IPv${family}, with valid checksums`, () => {
      const addr = family === 4 ? ip4 : ip6;
      fc.assert(fc.property(frame, vni, mac, mac, addr, addr, fc.nat(0xffffffff), fc.nat(40), (f, v, m1, m2, a1, a2, h, pad) => {
        const t = new OuterTemplate({ dstMac: m1, srcMac: m2, srcIp: a1, dstIp: a2 });
        expect(t.overhead).toBe(family === 4 ? fullOverhead4 : fullOverhead6);
        const fs = pad + t.overhead;
        const buf = Buffer.alloc(fs + f.length + 7, 0x55);
        f.copy(buf, fs);
        const start = t.encap(buf, fs, fs + f.length, v, entropyPort(h));
        expect(start).toBe(pad);
        const ip = start + 14;
        if (family === 4) expect(checksum(buf, ip, ip + 20)).toBe(0);
        else expect(buf.readUInt16BE(ip + 40 + 6)).not.toBe(0);
        const r = new DecapResult();
        // the IPv6 UDP checksum is verified by decap (it is non-zero)
        expect(decapFull(buf, start, fs + f.length, r, { acceptZeroUdp6Checksum: false })).toBe(DecapStatus.ok);
        expect(r.vni).toBe(v);
        expect(r.outerFamily).toBe(family);
        expect(r.srcPort).toBe(entropyPort(h));
        expect(buf.subarray(r.frameStart, r.frameEnd).equals(f)).toBe(true);
      }), { numRuns: 200 });
    });
  }

  it('full mode detects a corrupted IPv4 header and a corrupted IPv6 payload', () => {
    const f = Buffer.alloc(64, 7);
    const t4 = new OuterTemplate({ dstMac: Buffer.alloc(6, 1), srcMac: Buffer.alloc(6, 2), srcIp: Buffer.from([198, 18, 0, 1]), dstIp: Buffer.from([198, 18, 0, 2]) });
    const b4 = Buffer.alloc(50 + 64);
    f.copy(b4, 50);
    t4.encap(b4, 50, b4.length, 5, 50000);
    b4[14 + 8]! ^= 1; // TTL
    expect(decapFull(b4, 0, b4.length, new DecapResult())).toBe(DecapStatus.badIpChecksum);
    const t6 = new OuterTemplate({ dstMac: Buffer.alloc(6, 1), srcMac: Buffer.alloc(6, 2), srcIp: Buffer.alloc(16, 1), dstIp: Buffer.alloc(16, 2) });
    const b6 = Buffer.alloc(70 + 64);
    f.copy(b6, 70);
    t6.encap(b6, 70, b6.length, 5, 50000);
    b6[100]! ^= 0x10;
    expect(decapFull(b6, 0, b6.length, new DecapResult())).toBe(DecapStatus.badUdpChecksum);
  });

  it('IPv6 with udp6Checksum zero is accepted only when allowed (RFC 6935)', () => {
    const t6 = new OuterTemplate({ dstMac: Buffer.alloc(6, 1), srcMac: Buffer.alloc(6, 2), srcIp: Buffer.alloc(16, 1), dstIp: Buffer.alloc(16, 2), udp6Checksum: 'zero' });
    const b6 = Buffer.alloc(70 + 64);
    t6.encap(b6, 70, b6.length, 5, 50000);
    expect(b6.readUInt16BE(14 + 40 + 6)).toBe(0);
    expect(decapFull(b6, 0, b6.length, new DecapResult())).toBe(DecapStatus.ok);
    expect(decapFull(b6, 0, b6.length, new DecapResult(), { acceptZeroUdp6Checksum: false })).toBe(DecapStatus.zeroUdp6Checksum);
  });

  it('the IPv4 template matches a header built from scratch (known vector)', () => {
    const t = new OuterTemplate({
      dstMac: Buffer.from('020000000002', 'hex'), srcMac: Buffer.from('020000000001', 'hex'),
      srcIp: Buffer.from([198, 18, 0, 1]), dstIp: Buffer.from([198, 18, 0, 2]),
    });
    const b = Buffer.alloc(50 + 14);
    t.encap(b, 50, 64, 101, 0xc001);
    // 45 00 len=50 id=0 DF ttl=64 udp, checksum ae93 worked by hand (RFC 1071), 198.18.0.1 > 198.18.0.2
    expect(b.subarray(14, 34).toString('hex')).toBe('45000032000040004011ae93c6120001c6120002');
    expect(b.readUInt16BE(16)).toBe(20 + 8 + 8 + 14);
    expect(checksum(b, 14, 34)).toBe(0);
    expect(b.readUInt16BE(34)).toBe(0xc001);
    expect(b.readUInt16BE(36)).toBe(vxlanPort);
    expect(b.readUInt16BE(40)).toBe(0); // RFC 7348 5: zero UDP checksum over IPv4
    expect(b.subarray(42, 50).toString('hex')).toBe('0800000000006500');
  });
});

describe('decapsulating random bytes never throws', () => {
  it('UDP-payload and full mode return a status code', () => {
    const codes = new Set<number>(Object.values(DecapStatus));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -5, max: 210 }), fc.integer({ min: -5, max: 210 }), (a, s, e) => {
      const b = Buffer.from(a);
      const r = new DecapResult();
      expect(codes.has(decapUdpPayload(b, s, e, r))).toBe(true);
      expect(codes.has(decapFull(b, s, e, r))).toBe(true);
    }), { numRuns: 2000 });
  });

  it('near-valid packets (one byte changed) never throw and decode to in-bounds frames', () => {
    const t = new OuterTemplate({ dstMac: Buffer.alloc(6, 1), srcMac: Buffer.alloc(6, 2), srcIp: Buffer.alloc(16, 3), dstIp: Buffer.alloc(16, 4) });
    fc.assert(fc.property(frame, fc.nat(2000), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 100 }), (f, pos, val, cut) => {
      const b = Buffer.alloc(70 + f.length);
      f.copy(b, 70);
      t.encap(b, 70, b.length, 9, 50000);
      b[pos % b.length] = val;
      const end = Math.max(0, b.length - cut);
      const r = new DecapResult();
      if (decapFull(b, 0, end, r) === DecapStatus.ok) {
        expect(r.frameStart).toBeGreaterThanOrEqual(0);
        expect(r.frameEnd).toBeLessThanOrEqual(end);
        expect(r.frameEnd - r.frameStart).toBeGreaterThanOrEqual(14);
      }
    }), { numRuns: 1000 });
  });
});

describe('entropy', () => {
  it('source ports are in 49152-65535, stable per flow, and spread across flows', () => {
    const ports = new Set<number>();
    fc.assert(fc.property(frame, (f) => {
      const p = entropyPort(flowHash(f, 0, f.length));
      expect(p).toBeGreaterThanOrEqual(49152);
      expect(p).toBeLessThanOrEqual(65535);
      expect(entropyPort(flowHash(f, 0, f.length))).toBe(p);
      ports.add(p);
    }), { numRuns: 500 });
    expect(ports.size).toBeGreaterThan(400);
  });

  it('hashes the 5-tuple: a different UDP port changes the hash, the payload does not', () => {
    const f = Buffer.alloc(14 + 20 + 8 + 10);
    f.writeUInt16BE(0x0800, 12);
    f[14] = 0x45;
    f[14 + 9] = 17;
    f.writeUInt16BE(1000, 34);
    const h1 = flowHash(f, 0, f.length);
    f[50] = 99; // payload
    expect(flowHash(f, 0, f.length)).toBe(h1);
    f.writeUInt16BE(1001, 34);
    expect(flowHash(f, 0, f.length)).not.toBe(h1);
  });

  it('never throws on random bytes and ranges', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: -3, max: 103 }), fc.integer({ min: -3, max: 103 }), (a, s, e) => {
      const h = flowHash(Buffer.from(a), s, e);
      expect(h >>> 0).toBe(h);
    }), { numRuns: 1000 });
  });
});

/** RD, ESI, MAC and address text <-> bytes. */
import fc from 'fast-check';
import { Address6 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { readIpv6, tryWriteIpv4, tryWriteIpv6 } from '../../src/net/ip.js';
import {
  esiFields,
  esiFromFields,
  esiText,
  esiType,
  EvpnInputError,
  isEsi,
  isMac,
  isRd,
  macText,
  normalizeMac,
  normalizeRd,
  rdBytes,
  rdText,
  writeEsi,
  writeMac,
} from '../../src/evpn/index.js';
import { arbEsi, arbMac, arbRd } from '../../src/testing/evpn.js';

describe('route distinguishers (RFC 4364 4.2)', () => {
  it.each([
    ['65000:100', '0000fde800000064'],
    ['0:0', '0000000000000000'],
    ['65535:4294967295', '0000ffffffffffff'],
    ['10.0.0.1:100', '00010a0000010064'],
    ['255.255.255.255:65535', '0001ffffffffffff'],
    ['4200000000:100', '0002fa56ea000064'],
    ['65000L:100', '00020000fde80064'],
    ['rd3:0102030405ff', '00030102030405ff'],
  ])('%s <-> %s', (text, hex) => {
    expect(rdBytes(text).toString('hex')).toBe(hex);
    expect(rdText(Buffer.from(hex, 'hex'), 0)).toBe(text);
  });

  it('a small AS with a 4-byte number is type 0; a big AS is type 2', () => {
    expect(rdBytes('1:4294967295').readUInt16BE(0)).toBe(0);
    expect(rdBytes('65536:1').readUInt16BE(0)).toBe(2);
  });

  it.each(['', '65000', ':100', '65000:', 'a:1', '65000:4294967296', '4200000000:65536', '10.0.0.1:65536', '10.0.0.256:1', '01:1', '65000:01', '4294967296:1', '65000L:65536', 'rd3:0102', 'rd3:zz02030405ff', '1.2.3:4', ' 1:1'])(
    'rejects %j with EvpnInputError',
    (text) => {
      expect(isRd(text)).toBe(false);
      expect(() => normalizeRd(text)).toThrow(EvpnInputError);
      try {
        normalizeRd(text);
      } catch (e) {
        expect((e as EvpnInputError).field).toBe('rd');
        expect(e).toBeInstanceOf(TypeError);
      }
    },
  );

  it('text -> bytes -> text is the identity on canonical text', () => {
    fc.assert(
      fc.property(arbRd(), (rd) => {
        expect(normalizeRd(rd)).toBe(rd);
      }),
    );
  });

  it('bytes -> text -> bytes is the identity for every 8 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (a) => {
        const b = Buffer.from(a);
        expect(rdBytes(rdText(b, 0)).equals(b)).toBe(true);
      }),
    );
  });
});

describe('ESI (RFC 7432 5)', () => {
  it('round-trips text and bytes', () => {
    fc.assert(
      fc.property(arbEsi(), (esi) => {
        const b = Buffer.alloc(12);
        writeEsi(esi, b, 2);
        expect(esiText(b, 2)).toBe(esi);
        expect(esiFromFields(esiFields(esi))).toBe(esi);
      }),
    );
  });

  it('reads the fields of each type', () => {
    expect(esiFields('00:11:22:33:44:55:66:77:88:99')).toEqual({ type: 0, value: '112233445566778899' });
    expect(esiFields('01:00:aa:bb:cc:dd:ee:80:01:00')).toEqual({ type: 1, systemMac: '00:aa:bb:cc:dd:ee', portKey: 0x8001 });
    expect(esiFields('02:00:aa:bb:cc:dd:ee:80:00:00')).toEqual({ type: 2, bridgeMac: '00:aa:bb:cc:dd:ee', priority: 0x8000 });
    expect(esiFields('03:02:00:00:00:00:01:00:00:09')).toEqual({ type: 3, systemMac: '02:00:00:00:00:01', discriminator: 9 });
    expect(esiFields('04:0a:00:00:02:00:00:00:07:00')).toEqual({ type: 4, routerId: '10.0.0.2', discriminator: 7 });
    expect(esiFields('05:00:00:fd:e8:00:00:00:2a:00')).toEqual({ type: 5, asn: 65000, discriminator: 42 });
    expect(esiFields('07:00:00:00:00:00:00:00:00:01')).toEqual({ type: 7, raw: '000000000000000001' });
    expect(esiFields('01:00:aa:bb:cc:dd:ee:80:01:05')).toEqual({ type: 1, raw: '00aabbccddee800105' });
    expect(esiType('03:02:00:00:00:00:01:00:00:09')).toBe(3);
  });

  it('builds from fields', () => {
    expect(esiFromFields({ type: 5, asn: 65000, discriminator: 42 })).toBe('05:00:00:fd:e8:00:00:00:2a:00');
    expect(esiFromFields({ type: 1, systemMac: '00:AA:bb:cc:dd:ee', portKey: 0x8001 })).toBe('01:00:aa:bb:cc:dd:ee:80:01:00');
    expect(() => esiFromFields({ type: 3, systemMac: '02:00:00:00:00:01', discriminator: 1 << 24 })).toThrow(EvpnInputError);
  });

  it.each(['', '00:00:00:00:00:00:00:00:00', '00:00:00:00:00:00:00:00:00:00:00', '00:00:00:00:00:00:00:00:00:0g', '00-00:00:00:00:00:00:00:00:00'])('rejects %j', (t) => {
    expect(isEsi(t)).toBe(false);
    expect(() => writeEsi(t, Buffer.alloc(10), 0)).toThrow(EvpnInputError);
  });
});

describe('MAC', () => {
  it('round-trips and normalizes', () => {
    fc.assert(
      fc.property(arbMac(), (mac) => {
        const b = Buffer.alloc(6);
        writeMac(mac.toUpperCase().replaceAll(':', '-'), b, 0);
        expect(macText(b, 0)).toBe(mac);
      }),
    );
    expect(normalizeMac('AA-BB-CC-DD-EE-0F')).toBe('aa:bb:cc:dd:ee:0f');
  });

  it.each(['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aabb.ccdd.eeff', 'aa:bb:cc:dd:ee:fg', 'aa:bb-cc:dd:ee:ff', 'aa:bb:cc:dd:ee:f', 12])('rejects %j', (t) => {
    expect(isMac(t)).toBe(false);
    expect(() => normalizeMac(t as string)).toThrow(EvpnInputError);
  });
});

describe('addresses', () => {
  it('IPv6 text is RFC 5952 (as ip-address prints it) and parses back', () => {
    const arb16 = fc.oneof(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(arb16, (a) => {
        const b = Buffer.from(a);
        const text = readIpv6(b, 0);
        const mapped = b.readUInt32BE(0) === 0 && b.readUInt32BE(4) === 0 && b.readUInt32BE(8) === 0xffff;
        if (!mapped) expect(text).toBe(Address6.fromByteArray([...b]).correctForm());
        const back = Buffer.alloc(16);
        expect(tryWriteIpv6(text, back, 0)).toBe(true);
        expect(back.equals(b)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('IPv4-mapped addresses print in mixed notation', () => {
    expect(readIpv6(Buffer.from('00000000000000000000ffff0a000001', 'hex'), 0)).toBe('::ffff:10.0.0.1');
  });

  it.each(['1::2::3', ':1', '1:', '12345::', '1:2:3:4:5:6:7:8:9', 'g::', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4'])('rejects IPv6 %j', (t) => {
    expect(tryWriteIpv6(t, Buffer.alloc(16), 0)).toBe(false);
  });

  it.each(['1.2.3', '1.2.3.4.5', '256.0.0.0', '01.2.3.4', '1..2.3', '', 'a.b.c.d'])('rejects IPv4 %j', (t) => {
    expect(tryWriteIpv4(t, Buffer.alloc(4), 0)).toBe(false);
  });
});

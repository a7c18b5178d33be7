/**
 * One test per malformation of RFC 4271 section 6 and RFC 7606: code, subcode, data and action.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, parseUpdateRaw, toNotification } from '../../src/bgp/codec.js';
import { BgpError, type ErrorAction } from '../../src/bgp/errors.js';
import type { CodecOptions, NotificationMessage, OpenMessage, UpdateMessage } from '../../src/bgp/types.js';
import { unsupportedParameterError } from '../../src/bgp/messages/open.js';

const marker = 'ff'.repeat(16);
const u16 = (n: number) => n.toString(16).padStart(4, '0');

/** A whole message from a type and a hex body. */
function msg(type: number, bodyHex: string, lengthOverride?: number): Buffer {
  const body = Buffer.from(bodyHex.replace(/\s+/g, ''), 'hex');
  return Buffer.from(marker + u16(lengthOverride ?? 19 + body.length) + type.toString(16).padStart(2, '0') + body.toString('hex'), 'hex');
}

/** An UPDATE from hex withdrawn routes, attributes and NLRI. */
function update(withdrawn: string, attrs: string, nlri: string): Buffer {
  const w = withdrawn.replace(/\s+/g, '');
  const a = attrs.replace(/\s+/g, '');
  return msg(2, u16(w.length / 2) + w + u16(a.length / 2) + a + nlri.replace(/\s+/g, ''));
}

const ORIGIN = '400101 00';
const AS_PATH = '400206 0201 0000fde9'; // AS_SEQUENCE [65001], 4-octet
const NEXT_HOP = '400304 0a000001';
const BASE = ORIGIN + AS_PATH + NEXT_HOP;
const NLRI = '18 0a0100'; // 10.1.0.0/24

function thrown(bytes: Buffer, options?: CodecOptions): BgpError {
  let err: unknown;
  try {
    decodeMessage(bytes, options);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a thrown BgpError').toBeInstanceOf(BgpError);
  // the RIB path must agree
  if (bytes[18] === 2 && bytes.length >= 19) expect(() => parseUpdateRaw(bytes, options)).toThrow(BgpError);
  return err as BgpError;
}

function expectThrown(bytes: Buffer, code: number, subcode: number, data?: string, options?: CodecOptions): BgpError {
  const e = thrown(bytes, options);
  expect([e.code, e.subcode, e.action]).toEqual([code, subcode, 'session-reset']);
  if (data !== undefined) expect(e.data.toString('hex')).toBe(data.replace(/\s+/g, ''));
  return e;
}

function expectSoft(bytes: Buffer, subcode: number, action: ErrorAction, options?: CodecOptions): UpdateMessage {
  const m = decodeMessage(bytes, options) as UpdateMessage;
  expect(m.error, 'expected a non-fatal error').toBeInstanceOf(BgpError);
  expect([m.error!.code, m.error!.subcode, m.error!.action]).toEqual([3, subcode, action]);
  const raw = parseUpdateRaw(bytes, options);
  expect([raw.error?.code, raw.error?.subcode, raw.error?.action]).toEqual([3, subcode, action]);
  return m;
}

describe('RFC 4271 6.1 message header errors', () => {
  it('marker not all ones: 1/1', () => {
    const b = encodeMessage({ type: 'keepalive' });
    b[0] = 0xfe;
    expectThrown(b, 1, 1);
  });
  it('length below 19 / above 4096 / not matching the bytes: 1/2 with the length field as data', () => {
    expectThrown(msg(4, '', 18), 1, 2, '0012');
    expectThrown(msg(2, '00'.repeat(4090)), 1, 2, u16(19 + 4090));
    expectThrown(msg(4, '', 25), 1, 2, '0019');
  });
  it('length wrong for the type: KEEPALIVE != 19, OPEN < 29, UPDATE < 23, NOTIFICATION < 21: 1/2', () => {
    expectThrown(msg(4, '00'), 1, 2, '0014');
    expectThrown(msg(1, '04fde9005a0a000001'), 1, 2, '001c');
    expectThrown(msg(2, '000000'), 1, 2, '0016');
    expectThrown(msg(3, '06'), 1, 2, '0014');
  });
  it('unknown type: 1/3 with the type as data', () => {
    expectThrown(msg(6, ''), 1, 3, '06');
    expectThrown(msg(0, ''), 1, 3, '00');
  });
  it('extended message: UPDATE up to 65535 when negotiated', () => {
    const big = update('', BASE, '18 0a0100'.repeat(1500));
    expectThrown(big, 1, 2, u16(big.length));
    expect((decodeMessage(big, { extendedMessage: true }) as UpdateMessage).nlri.length).toBe(1500);
  });
});

describe('RFC 4271 6.2 OPEN errors', () => {
  const open = (v: string, hold: string, id: string, opt = '00') => msg(1, `${v} fde9 ${hold} ${id} ${opt}`);
  it('unsupported version: 2/1 with data = version 4 (2 octets)', () => expectThrown(open('03', '005a', '0a000001'), 2, 1, '0004'));
  it('hold time 1 or 2: 2/6', () => {
    expectThrown(open('04', '0001', '0a000001'), 2, 6);
    expectThrown(open('04', '0002', '0a000001'), 2, 6);
    expect(decodeMessage(open('04', '0000', '0a000001'))).toMatchObject({ holdTime: 0 });
    expect(decodeMessage(open('04', '0003', '0a000001'))).toMatchObject({ holdTime: 3 });
  });
  it('BGP identifier 0.0.0.0: 2/3', () => expectThrown(open('04', '005a', '00000000'), 2, 3));
  it('optional parameters length not matching the message: 2/0', () => {
    expectThrown(open('04', '005a', '0a000001', '05 0202 0200'), 2, 0);
    expectThrown(open('04', '005a', '0a000001', '04 0203 0200'), 2, 0);
  });
  it('malformed known capability (multiprotocol of 3 bytes): 2/0', () => expectThrown(open('04', '005a', '0a000001', '05 0203 0103 000101'), 2, 0));
  it('unknown capability and unknown parameter are kept raw; the parameter gives the session a 2/4', () => {
    const m = decodeMessage(open('04', '005a', '0a000001', '08 0204 fe02 abcd 0100')) as OpenMessage;
    expect(m).toMatchObject({ capabilities: [{ type: 'unknown', code: 254 }], otherParameters: [{ type: 1 }] });
    expect(unsupportedParameterError(m)).toMatchObject({ code: 2, subcode: 4 });
    expect(unsupportedParameterError({ ...m, otherParameters: undefined })).toBeUndefined();
  });
  it('RFC 9072 extended optional parameters length is decoded', () => {
    const m = decodeMessage(open('04', '005a', '0a000001', 'ff ff 0009 02 0006 01040001 0001'));
    expect(m).toMatchObject({ capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }] });
  });
});

describe('RFC 4271 6.3 / RFC 7606 UPDATE errors', () => {
  it('a valid UPDATE decodes without error', () => {
    const m = decodeMessage(update('', BASE, NLRI)) as UpdateMessage;
    expect(m.error).toBeUndefined();
    expect(m.nlri).toEqual([{ prefix: '10.1.0.0/24' }]);
  });
  it('withdrawn routes length overrunning the message: 3/1 session-reset', () => expectThrown(msg(2, '0010 0000'), 3, 1));
  it('total path attribute length overrunning the message: 3/1 session-reset', () => expectThrown(msg(2, '0000 0010 400101'), 3, 1));
  it('prefix length > 32 or truncated prefix: 3/10 session-reset (RFC 7606 5.3)', () => {
    expectThrown(update('', BASE, '21 0a010000 00'), 3, 10);
    expectThrown(update('', BASE, '18 0a01'), 3, 10);
    expectThrown(update('20 0a00', '', ''), 3, 10);
  });
  it('unrecognized well-known attribute: 3/2 with the attribute as data', () => expectThrown(update('', BASE + '406302 abcd', NLRI), 3, 2, '406302abcd'));
  it('attribute flags error: 3/4 with the action of the attribute type (RFC 7606 3.c)', () => {
    const m = expectSoft(update('', 'c00101 00' + AS_PATH + NEXT_HOP, NLRI), 4, 'treat-as-withdraw');
    expect(m.error!.data.toString('hex')).toBe('c0010100');
    const d = expectSoft(update('', BASE + 'c00600', NLRI), 4, 'attribute-discard');
    expect(d.attributes.map((a) => a.type)).toEqual(['origin', 'as-path', 'next-hop']);
    expectThrown(update('', BASE + 'c00e05 0001010000', ''), 3, 4);
    // Partial is allowed on optional transitive attributes only
    expect((decodeMessage(update('', BASE + 'e00804 fde80064', NLRI)) as UpdateMessage).error).toBeUndefined();
    expectSoft(update('', BASE + 'a00404 00000001', NLRI), 4, 'treat-as-withdraw');
  });
  it('ORIGIN: bad length 3/5, undefined value 3/6, treat-as-withdraw (RFC 7606 7.1)', () => {
    expectSoft(update('', '400102 0000' + AS_PATH + NEXT_HOP, NLRI), 5, 'treat-as-withdraw');
    expectSoft(update('', '400101 03' + AS_PATH + NEXT_HOP, NLRI), 6, 'treat-as-withdraw');
  });
  it('AS_PATH malformed: 3/11 treat-as-withdraw (RFC 7606 7.2)', () => {
    expectSoft(update('', ORIGIN + '400206 0501 0000fde9' + NEXT_HOP, NLRI), 11, 'treat-as-withdraw'); // segment type 5
    expectSoft(update('', ORIGIN + '400206 0202 0000fde9' + NEXT_HOP, NLRI), 11, 'treat-as-withdraw'); // overrun
    expectSoft(update('', ORIGIN + '400203 0200 02' + NEXT_HOP, NLRI), 11, 'treat-as-withdraw'); // zero length + lone octet
    expectSoft(update('', ORIGIN + '400207 0201 0000fde9 02' + NEXT_HOP, NLRI), 11, 'treat-as-withdraw'); // underrun
  });
  it('2-octet AS_PATH under fourOctetAs: false', () => {
    const m = decodeMessage(update('', ORIGIN + '400204 0201 fde9' + NEXT_HOP, NLRI), { fourOctetAs: false }) as UpdateMessage;
    expect(m.attributes[1]).toEqual({ type: 'as-path', segments: [{ type: 'sequence', asns: [65001] }] });
  });
  it('NEXT_HOP: bad length 3/5, invalid address 3/8, treat-as-withdraw (RFC 7606 7.3)', () => {
    expectSoft(update('', ORIGIN + AS_PATH + '400305 0a00000100', NLRI), 5, 'treat-as-withdraw');
    const m = expectSoft(update('', ORIGIN + AS_PATH + '400304 00000000', NLRI), 8, 'treat-as-withdraw');
    expect(m.error!.data.toString('hex')).toBe('40030400000000');
    expectSoft(update('', ORIGIN + AS_PATH + '400304 e0000001', NLRI), 8, 'treat-as-withdraw');
  });
  it('MED and LOCAL_PREF of the wrong length: 3/5 treat-as-withdraw (RFC 7606 7.4, 7.5)', () => {
    expectSoft(update('', BASE + '800403 000001', NLRI), 5, 'treat-as-withdraw');
    expectSoft(update('', BASE + '400505 0000000064', NLRI), 5, 'treat-as-withdraw');
  });
  it('ATOMIC_AGGREGATE and AGGREGATOR of the wrong length: attribute-discard (RFC 7606 7.6, 7.7)', () => {
    const a = expectSoft(update('', BASE + '400601 00', NLRI), 5, 'attribute-discard');
    expect(a.attributes.length).toBe(3);
    expect(a.nlri.length).toBe(1);
    expectSoft(update('', BASE + 'c00706 fde90a000001', NLRI), 5, 'attribute-discard');
    const two = decodeMessage(update('', ORIGIN + '400204 0201 fde9' + NEXT_HOP + 'c00706 fde90a000001', NLRI), { fourOctetAs: false }) as UpdateMessage;
    expect(two.attributes[3]).toEqual({ type: 'aggregator', asn: 65001, address: '10.0.0.1' });
  });
  it('COMMUNITIES not a non-zero multiple of 4: treat-as-withdraw (RFC 7606 7.8)', () => {
    expectSoft(update('', BASE + 'c00805 fde8006400', NLRI), 5, 'treat-as-withdraw');
    expectSoft(update('', BASE + 'c00800', NLRI), 5, 'treat-as-withdraw');
  });
  it('ORIGINATOR_ID / CLUSTER_LIST of the wrong length: treat-as-withdraw (RFC 7606 7.9, 7.10)', () => {
    expectSoft(update('', BASE + '800903 010101', NLRI), 5, 'treat-as-withdraw');
    expectSoft(update('', BASE + '800a06 010101010202', NLRI), 5, 'treat-as-withdraw');
  });
  it('EXTENDED_COMMUNITIES / LARGE_COMMUNITY / PMSI_TUNNEL of the wrong length: treat-as-withdraw', () => {
    expectSoft(update('', BASE + 'c01007 00020000fde800', NLRI), 5, 'treat-as-withdraw');
    expectSoft(update('', BASE + 'c0200b 0000000100000002000000', NLRI), 5, 'treat-as-withdraw');
    expectSoft(update('', BASE + 'c01603 000600', NLRI), 5, 'treat-as-withdraw');
  });
  it('AS4_PATH / AS4_AGGREGATOR malformed: attribute-discard (RFC 6793 6)', () => {
    expectSoft(update('', BASE + 'c01106 0202 0000fde9', NLRI), 11, 'attribute-discard');
    expectSoft(update('', BASE + 'c01206 fde90a000001', NLRI), 5, 'attribute-discard');
  });
  it('MP_REACH_NLRI whose NLRI cannot be located: session-reset (RFC 7606 7.11)', () => {
    expectThrown(update('', ORIGIN + AS_PATH + '800e03 000101', ''), 3, 9);
    expectThrown(update('', ORIGIN + AS_PATH + '800e08 0001 01 10 0a000001', ''), 3, 9);
    expectThrown(update('', ORIGIN + AS_PATH + '800f02 0001', ''), 3, 9);
  });
  it('MP_REACH_NLRI with a next hop length wrong for the family: afi-safi-disable', () => {
    const b = update('', ORIGIN + AS_PATH + '800e0d 0001 01 05 0a00000101 00 100a01', '');
    expectSoft(b, 9, 'afi-safi-disable');
    expect(parseUpdateRaw(b).disabledFamily).toEqual({ afi: 1, safi: 1 });
  });
  it('MP_REACH_NLRI with unparseable NLRI: 3/10 session-reset', () => {
    expectThrown(update('', ORIGIN + AS_PATH + '800e0c 0001 01 04 0a000001 00 280a01', ''), 3, 10);
  });
  it('duplicate attributes: discarded (first kept) except MP_REACH/MP_UNREACH = 3/1 session-reset (RFC 7606 3.g)', () => {
    const m = expectSoft(update('', BASE + '400101 02', NLRI), 1, 'attribute-discard');
    expect(m.attributes[0]).toEqual({ type: 'origin', value: 'igp' });
    expect(m.attributes.length).toBe(3);
    expectThrown(update('', BASE + '800f03 000101' + '800f03 000101', ''), 3, 1);
  });
  it('an attribute overrunning the attribute section: 3/1 treat-as-withdraw (RFC 7606 4); an MP one: session-reset', () => {
    const b = update('', BASE + '400505 00000064', NLRI);
    expectSoft(b, 1, 'treat-as-withdraw');
    expectThrown(update('', BASE + '800e20 000101', NLRI), 3, 1);
    // fewer than 3 octets left for an attribute header
    expectSoft(update('', BASE + '4005', NLRI), 1, 'treat-as-withdraw');
  });
  it('missing well-known attributes with NLRI: 3/3 treat-as-withdraw, data = the type code (RFC 7606 3.d)', () => {
    const a = expectSoft(update('', AS_PATH + NEXT_HOP, NLRI), 3, 'treat-as-withdraw');
    expect(a.error!.data.toString('hex')).toBe('01');
    const c = expectSoft(update('', ORIGIN + AS_PATH, NLRI), 3, 'treat-as-withdraw');
    expect(c.error!.data.toString('hex')).toBe('03');
  });
  it('MP-only UPDATE needs no NEXT_HOP; no NLRI anywhere needs nothing (RFC 7606 5.2)', () => {
    expect((decodeMessage(update('', ORIGIN + AS_PATH + '800e0c 0001 01 04 0a000001 00 100a01', '')) as UpdateMessage).error).toBeUndefined();
    expect((decodeMessage(update('', '400504 00000064', '')) as UpdateMessage).error).toBeUndefined();
    expect((decodeMessage(update('08 0a', '', '')) as UpdateMessage).withdrawn).toEqual([{ prefix: '10.0.0.0/8' }]);
  });
  it('the strongest error wins (RFC 7606 3.h)', () => {
    const m = expectSoft(update('', BASE + '400601 00' + '800403 000001', NLRI), 5, 'treat-as-withdraw');
    expect(m.error!.data.toString('hex')).toBe('800403000001');
    expectSoft(update('', ORIGIN + AS_PATH + '400601 00' + '800e0d 0001 01 05 0a00000101 00 100a01' + '800403 000001', ''), 9, 'afi-safi-disable');
  });
  it('unknown optional transitive attributes are kept and passed on with Partial set', () => {
    const m = decodeMessage(update('', BASE + 'c06302 abcd', NLRI)) as UpdateMessage;
    expect(m.attributes[3]).toMatchObject({ type: 'unknown', typeCode: 99, flags: 0xc0 });
    const again = decodeMessage(encodeMessage(m)) as UpdateMessage;
    expect(again.attributes[3]).toMatchObject({ type: 'unknown', typeCode: 99, flags: 0xe0 });
    // optional non-transitive: kept as received, no Partial
    const n = decodeMessage(update('', BASE + '806302 abcd', NLRI)) as UpdateMessage;
    expect((decodeMessage(encodeMessage(n)) as UpdateMessage).attributes[3]).toMatchObject({ flags: 0x80 });
  });
});

describe('NOTIFICATION and ROUTE-REFRESH', () => {
  it('shutdown communication: invalid UTF-8 or a lying length is no communication (RFC 9003 2)', () => {
    expect(decodeMessage(msg(3, '0602 02 c328'))).not.toHaveProperty('shutdownMessage');
    expect(decodeMessage(msg(3, '0602 09 6869'))).not.toHaveProperty('shutdownMessage');
    expect(decodeMessage(msg(3, '0602 02 6869'))).toMatchObject({ shutdownMessage: 'hi' });
    expect(decodeMessage(msg(3, '0603 02 6869'))).not.toHaveProperty('shutdownMessage');
  });
  it('a shutdown communication above 255 bytes is refused at encode', () => {
    const n: NotificationMessage = { type: 'notification', code: 6, subcode: 2, data: Buffer.alloc(0), shutdownMessage: 'x'.repeat(256) };
    expect(() => encodeMessage(n)).toThrow(TypeError);
  });
  it('ROUTE-REFRESH of a length other than 23: 7/1 with the whole message as data (RFC 7313 5)', () => {
    const b = msg(5, '0001 01 01 00');
    expectThrown(b, 7, 1, b.toString('hex'));
  });
});

describe('toNotification', () => {
  it('maps code, subcode and data', () => {
    const e = thrown(msg(6, ''));
    expect(toNotification(e)).toEqual({ type: 'notification', code: 1, subcode: 3, data: Buffer.from([6]) });
    const back = decodeMessage(encodeMessage(toNotification(e)));
    expect(back).toMatchObject({ type: 'notification', code: 1, subcode: 3 });
  });
  it('cuts data so the NOTIFICATION fits in 4096 bytes', () => {
    const big = new BgpError(3, 1, 'x', { data: Buffer.alloc(5000) });
    expect(encodeMessage(toNotification(big)).length).toBe(4096);
  });
});

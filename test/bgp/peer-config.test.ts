/**
 * `BgpSpeaker.addPeer` refuses what is not an IP address with a typed error (before, `--help`
 * given to the quick start became a peer "address" that was retried forever).
 */
import { describe, expect, it } from 'vitest';
import { BgpSpeaker, PeerConfigError } from '../../src/index.js';

describe('addPeer address validation', () => {
  const speaker = () => new BgpSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: false });

  it.each(['--help', '', 'localhost', '10.0.0', '10.0.0.256', '10.0.0.1/32', '2001:db8::1::2', ' 10.0.0.1'])('address %j is a PeerConfigError', (address) => {
    const s = speaker();
    const e = (() => {
      try {
        s.addPeer({ address, asn: 65000, families: ['l2vpn-evpn'] });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(PeerConfigError);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as PeerConfigError).field).toBe('address');
    expect((e as PeerConfigError).value).toBe(address);
    expect(s.peerAddresses()).toEqual([]);
  });

  it('a bad localAddress too; IPv4 and IPv6 addresses are taken', () => {
    const s = speaker();
    expect(() => s.addPeer({ address: '192.0.2.2', localAddress: 'eth0', asn: 65000, families: ['l2vpn-evpn'] })).toThrow(expect.objectContaining({ name: 'PeerConfigError', field: 'localAddress' }));
    expect(() => s.addPeer({ address: 12 as unknown as string, asn: 65000, families: ['l2vpn-evpn'] })).toThrow(PeerConfigError);
    s.addPeer({ address: '192.0.2.2', localAddress: '192.0.2.1', asn: 65000, families: ['l2vpn-evpn'] });
    s.addPeer({ address: '2001:db8::2', asn: 65000, families: ['l2vpn-evpn'] });
    expect(s.peerAddresses()).toEqual(['192.0.2.2', '2001:db8::2']);
  });
});

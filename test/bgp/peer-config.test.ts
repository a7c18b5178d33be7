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

describe('family names (one table in families.ts)', () => {
  it('names resolve to their AFI/SAFI; anything else is a TypeError, prototype keys included', async () => {
    const { familyOfName } = await import('../../src/bgp/families.js');
    const { toFamily } = await import('../../src/bgp/rib/peer-config.js');
    const { resolveFamily } = await import('../../src/bgp/speaker-types.js');
    for (const f of [familyOfName, toFamily, resolveFamily]) {
      expect(f('l2vpn-evpn')).toEqual({ afi: 25, safi: 70 });
      expect(f('ipv4-unicast')).toEqual({ afi: 1, safi: 1 });
      expect(f('ipv6-unicast')).toEqual({ afi: 2, safi: 1 });
      for (const bad of ['l2vpn-vpls', 'constructor', '__proto__', '']) expect(() => f(bad), bad).toThrow(TypeError);
    }
  });
});

/** Importing the package root registers the EVPN family and communities as a side effect. */
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';

describe('registration on module load', () => {
  it('the root import makes AFI 25 / SAFI 70 and the EVPN communities known to the BGP codec', () => {
    expect(root.familyCodec(25, 70)).toBe(root.evpnNlri);
    expect(root.familyByName('l2vpn-evpn')).toBe(root.evpnNlri);
    expect(root.extCommunityCodecFor(0x06, 0x00)?.kind).toBe('mac-mobility');
    expect(root.extCommunityCodecFor(0x03, 0x0d)?.kind).toBe('default-gateway');
    // and decodeMessage therefore decodes EVPN NLRI instead of keeping them raw
    const { attributes } = root.inclusiveMulticastRoute({ rd: '1:1', originator: '10.0.0.1', vni: 1, nextHop: '10.0.0.1', routeTargets: [] });
    const m = root.decodeMessage(root.encodeMessage({ type: 'update', withdrawn: [], attributes, nlri: [] })) as root.UpdateMessage;
    const reach = m.attributes.find((a) => a.type === 'mp-reach');
    expect(reach && 'nlri' in reach ? reach.nlri : undefined).toEqual([{ routeType: 3, rd: '1:1', ethernetTag: 0, originator: '10.0.0.1' }]);
  });

  it('registerEvpn is idempotent', () => {
    root.registerEvpn();
    root.registerEvpn();
    expect(root.familyCodec(25, 70)).toBe(root.evpnNlri);
  });
});

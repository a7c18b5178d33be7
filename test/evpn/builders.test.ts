/** Builders: what they produce, and the typed error for every kind of bad input. */
import { describe, expect, it } from 'vitest';
import { EvpnInputError, inclusiveMulticastRoute, ipPrefixRoute, macIpRoute, type EvpnInputField } from '../../src/evpn/index.js';

const ok = { rd: '65000:100', mac: 'aa:bb:cc:dd:ee:ff', vni: 100, nextHop: '10.0.0.1', routeTargets: ['65000:100'] };

function rejects(f: () => unknown, field: EvpnInputField): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EvpnInputError);
  expect(caught).toBeInstanceOf(TypeError);
  expect((caught as EvpnInputError).field).toBe(field);
  expect((caught as Error).message).toMatch(/^invalid /);
}

describe('macIpRoute', () => {
  it('normalizes input and fills defaults', () => {
    const { nlri, attributes } = macIpRoute({ ...ok, mac: 'AA-BB-CC-DD-EE-FF', ip: '2001:DB8:0:0::1', rd: '10.0.0.1:5' });
    expect(nlri).toEqual({
      routeType: 2,
      rd: '10.0.0.1:5',
      esi: '00:00:00:00:00:00:00:00:00:00',
      ethernetTag: 0,
      mac: 'aa:bb:cc:dd:ee:ff',
      ip: '2001:db8::1',
      label1: 100,
    });
    expect(attributes.map((a) => a.type)).toEqual(['origin', 'as-path', 'mp-reach', 'extended-communities']);
    const ext = attributes.find((a) => a.type === 'extended-communities');
    expect(ext).toEqual({
      type: 'extended-communities',
      values: [
        { kind: 'encapsulation', tunnelType: 8 },
        { kind: 'route-target', global: '65000', local: 100, format: 'as2' },
      ],
    });
  });

  it('l3vni becomes Label2; sticky mobility; ESI and tag are kept', () => {
    const { nlri, attributes } = macIpRoute({ ...ok, l3vni: 16777215, esi: '00:11:22:33:44:55:66:77:88:99', ethernetTag: 7, mobility: { sequence: 0, sticky: true } });
    expect(nlri).toMatchObject({ label1: 100, label2: 16777215, esi: '00:11:22:33:44:55:66:77:88:99', ethernetTag: 7 });
    const ext = attributes.find((a) => a.type === 'extended-communities');
    expect(ext && 'values' in ext && ext.values).toContainEqual({ kind: 'mac-mobility', sequence: 0, sticky: true });
    expect(macIpRoute({ ...ok, mobility: 4 }).attributes.find((a) => a.type === 'extended-communities')).toMatchObject({
      values: expect.arrayContaining([{ kind: 'mac-mobility', sequence: 4, sticky: false }]),
    });
  });

  it.each<[string, Record<string, unknown>, EvpnInputField]>([
    ['MAC that is not a MAC', { mac: 'aa:bb:cc:dd:ee' }, 'mac'],
    ['MAC with garbage', { mac: 'zz:bb:cc:dd:ee:ff' }, 'mac'],
    ['VNI above 2^24-1', { vni: 2 ** 24 }, 'vni'],
    ['negative VNI', { vni: -1 }, 'vni'],
    ['fractional VNI', { vni: 1.5 }, 'vni'],
    ['L3 VNI above 2^24-1', { l3vni: 2 ** 24 }, 'vni'],
    ['RD that does not parse', { rd: '65000' }, 'rd'],
    ['RD out of range', { rd: '70000:4294967296' }, 'rd'],
    ['IP that is not an IP', { ip: '10.0.0.300' }, 'ip'],
    ['IP with a prefix length', { ip: '10.0.0.1/32' }, 'ip'],
    ['next hop that is not an IP', { nextHop: 'vtep1' }, 'next-hop'],
    ['bad route target', { routeTargets: ['65000'] }, 'route-target'],
    ['route targets not a list', { routeTargets: '65000:1' }, 'route-target'],
    ['bad ESI', { esi: '00:11' }, 'esi'],
    ['Ethernet tag too big', { ethernetTag: 2 ** 32 }, 'ethernet-tag'],
    ['mobility sequence too big', { mobility: 2 ** 32 }, 'sequence'],
    ['bad router MAC', { routerMac: 'router' }, 'mac'],
  ])('rejects a %s', (_name, patch, field) => {
    rejects(() => macIpRoute({ ...ok, ...patch } as never), field);
  });
});

describe('inclusiveMulticastRoute', () => {
  it('carries PMSI (type 6, VNI label, VTEP tunnel id) and sorts attributes by type code', () => {
    const { nlri, attributes } = inclusiveMulticastRoute({ rd: '65000:100', originator: '10.0.0.1', vni: 100, nextHop: '10.0.0.1', routeTargets: [] });
    expect(nlri).toEqual({ routeType: 3, rd: '65000:100', ethernetTag: 0, originator: '10.0.0.1' });
    expect(attributes.map((a) => a.type)).toEqual(['origin', 'as-path', 'mp-reach', 'extended-communities', 'pmsi-tunnel']);
    expect(attributes.at(-1)).toEqual({ type: 'pmsi-tunnel', tunnelFlags: 0, tunnelType: 6, label: 100, tunnelId: '10.0.0.1' });
  });

  it.each<[string, Record<string, unknown>, EvpnInputField]>([
    ['VNI above 2^24-1', { vni: 0x1000000 }, 'vni'],
    ['bad originator', { originator: '1.2.3' }, 'originator'],
    ['bad RD', { rd: 'x:1' }, 'rd'],
    ['bad next hop', { nextHop: '' }, 'next-hop'],
  ])('rejects a %s', (_name, patch, field) => {
    rejects(() => inclusiveMulticastRoute({ rd: '65000:100', originator: '10.0.0.1', vni: 100, nextHop: '10.0.0.1', routeTargets: [], ...patch } as never), field);
  });
});

describe('ipPrefixRoute', () => {
  it('IPv6 prefix gets an IPv6 zero gateway', () => {
    expect(ipPrefixRoute({ rd: '1:1', prefix: '2001:db8::/32', vni: 5, nextHop: '10.0.0.1', routeTargets: [] }).nlri).toMatchObject({ prefix: '2001:db8::/32', gateway: '::' });
  });
  it.each<[string, Record<string, unknown>, EvpnInputField]>([
    ['prefix without length', { prefix: '10.0.0.0' }, 'prefix'],
    ['prefix length 33', { prefix: '10.0.0.0/33' }, 'prefix'],
    ['gateway of the other family', { gateway: '::1' }, 'ip'],
  ])('rejects a %s', (_name, patch, field) => {
    rejects(() => ipPrefixRoute({ rd: '1:1', prefix: '10.0.0.0/8', vni: 5, nextHop: '10.0.0.1', routeTargets: [], ...patch } as never), field);
  });
});

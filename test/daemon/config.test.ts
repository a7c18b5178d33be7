/**
 * bgp-evpnd's GoBGP-format config: every supported section becomes the speaker settings it
 * stands for, and every wrong or unsupported thing is a ConfigError naming its line and key.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/daemon/config.js';
import { lineOf, scanLines } from '../../src/daemon/toml-lines.js';

const full = `# a route reflector for an EVPN fabric
[global.config]
  as = 65000
  router-id = "10.0.0.1"
  port = 1790
  local-address-list = ["10.0.0.1"]

[[peer-groups]]
  [peer-groups.config]
    peer-group-name = "vteps"
    peer-as = 65000
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
  [peer-groups.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "10.0.0.1"
  [peer-groups.timers.config]
    hold-time = 30

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.2"
    peer-as = 65001
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [neighbors.timers.config]
    hold-time = 90
    keepalive-interval = 30
    connect-retry = 5
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 60
  [neighbors.transport.config]
    passive-mode = true
    local-address = "10.0.0.1"
    remote-port = 1791

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.3"
    peer-group = "vteps"
  [neighbors.timers.config]
    hold-time = 12

[[dynamic-neighbors]]
  [dynamic-neighbors.config]
    prefix = "10.0.1.0/24"
    peer-group = "vteps"
    limit = 50
`;

/** The ConfigError a text raises. */
function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, 'rr.toml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

const head = `[global.config]\n  as = 65000\n  router-id = "10.0.0.1"\n`;

describe('bgp-evpnd config', () => {
  it('reads every supported section', () => {
    const c = parseConfig(full, 'rr.toml');
    expect(c.global).toEqual({ asn: 65000, routerId: '10.0.0.1', port: 1790, listenAddress: '10.0.0.1' });
    expect(c.clusterId).toBe('10.0.0.1');
    expect(c.peerGroups.get('vteps')).toEqual({ asn: 65000, families: ['l2vpn-evpn'], routeReflectorClient: true, holdTime: 30 });
    expect(c.neighbors.get('10.0.0.2')).toEqual({
      address: '10.0.0.2',
      asn: 65001,
      families: ['ipv4-unicast', 'ipv6-unicast'],
      holdTime: 90,
      keepaliveTime: 30,
      connectRetryTime: 5,
      gracefulRestart: { restartTime: 60 },
      passive: true,
      localAddress: '10.0.0.1',
      port: 1791,
    });
    expect(c.neighbors.get('10.0.0.3')).toEqual({ address: '10.0.0.3', peerGroup: 'vteps', holdTime: 12 });
    expect(c.dynamicNeighbors).toEqual([{ prefix: '10.0.1.0/24', peerGroup: 'vteps', limit: 50 }]);
  });

  it('defaults: port 179, every address, EVPN for a neighbor without afi-safis; port -1 means no listener', () => {
    const c = parseConfig(`${head}[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "10.0.0.2"\n    peer-as = 65000\n`);
    expect(c.global).toEqual({ asn: 65000, routerId: '10.0.0.1', port: 179, listenAddress: undefined });
    expect(c.neighbors.get('10.0.0.2')).toEqual({ address: '10.0.0.2', asn: 65000, families: ['l2vpn-evpn'] });
    expect(parseConfig(head.replace('as = 65000', 'as = 65000\n  port = -1')).global.port).toBe(-1);
  });

  it('[vtep.config] (our own section): VTEP address, VNIs, route-target style, UDP port', () => {
    const c = parseConfig(`${head}[vtep.config]\n  address = "10.0.0.1"\n  vnis = [100, 200]\n  route-target-style = "as-vni"\n  udp-port = 4790\n`);
    expect(c.vtep).toEqual({ address: '10.0.0.1', vnis: [100, 200], routeTargetStyle: 'as-vni', udpPort: 4790 });
    expect(parseConfig(`${head}[vtep.config]\n  address = "10.0.0.1"\n  vnis = [1]\n`).vtep).toMatchObject({ routeTargetStyle: 'rfc8365', udpPort: 4789 });
    expect(parseConfig(head).vtep).toBeUndefined();
    expect(errorOf(`${head}[vtep.config]\n  address = "10.0.0.1"\n  vnis = [100, 16777216]\n`).message).toBe('rr.toml:6: vtep.config.vnis: expected an array of whole numbers from 1 to 16777215, got [100,16777216]');
    expect(errorOf(`${head}[vtep.config]\n  address = "10.0.0.1"\n`).message).toBe('rr.toml:4: vtep.config: vnis is required');
    expect(errorOf(`${head}[vtep.config]\n  address = "10.0.0.1"\n  vnis = [1]\n  vni = 2\n`).line).toBe(7);
  });

  it('a TOML syntax error names its line and column', () => {
    const e = errorOf(`${head}[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \n`);
    expect(e.line).toBe(6);
    expect(e.message).toMatch(/^rr\.toml:6: TOML syntax: .*column/);
  });

  const cases: [string, string, number, RegExp][] = [
    ['unknown key in a neighbor', `${full}`.replace('remote-port = 1791', 'remote-port = 1791\n    remote-prot = 1'), 44, /neighbors\[0\]\.transport\.config\.remote-prot: unknown key remote-prot \(accepted here: passive-mode, local-address, remote-port\)/],
    ['unknown key in the second neighbor', full.replace('hold-time = 12', 'hold-time = 12\n    hold = 3'), 51, /neighbors\[1\]\.timers\.config\.hold: unknown key/],
    ['unknown top-level section', `${head}[foo]\n  bar = 1\n`, 4, /foo: unknown section \[foo\]/],
    ['GoBGP section we do not implement', `${head}[[policy-definitions]]\n  name = "p"\n`, 4, /policy-definitions: section \[policy-definitions\] is not supported by bgp-evpnd/],
    ['GoBGP neighbor section we do not implement', full.replace('  [neighbors.timers.config]\n    hold-time = 90', '  [neighbors.ebgp-multihop.config]\n    enabled = true\n  [neighbors.timers.config]\n    hold-time = 90'), 33, /neighbors\[0\]\.ebgp-multihop: section .* is not supported/],
    ['bad family', full.replace('"ipv6-unicast"', '"l3vpn-ipv4-unicast"'), 30, /afi-safi-name: "l3vpn-ipv4-unicast" is not supported; accepted: l2vpn-evpn, ipv4-unicast, ipv6-unicast/],
    ['AS out of range', head.replace('65000', '4294967296'), 2, /global\.config\.as: expected a whole number from 1 to 4294967295/],
    ['router id not IPv4', head.replace('"10.0.0.1"', '"2001:db8::1"'), 3, /router-id: expected an IPv4 address/],
    ['hold time 2', full.replace('hold-time = 12', 'hold-time = 2'), 50, /hold-time: must be 0 or at least 3/],
    ['boolean as string', full.replace('passive-mode = true', 'passive-mode = "yes"'), 41, /passive-mode: expected true or false/],
    ['bad prefix', full.replace('"10.0.1.0/24"', '"10.0.1.0/33"'), 54, /prefix: expected address\/length/],
    ['unknown peer group', full.replace('peer-group = "vteps"\n  [neighbors.timers', 'peer-group = "spines"\n  [neighbors.timers'), 48, /peer-group: unknown peer group spines \(defined: vteps\)/],
    ['neighbor twice', full.replace('"10.0.0.3"', '"10.0.0.2"'), 47, /neighbor 10\.0\.0\.2 is defined twice/],
    ['no peer-as', `${head}[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "10.0.0.2"\n`, 5, /neighbors\[0\]\.config: peer-as is required/],
    ['two listen addresses', head.replace('router-id = "10.0.0.1"', 'router-id = "10.0.0.1"\n  local-address-list = ["10.0.0.1", "::1"]'), 4, /local-address-list: one listen address/],
    ['two cluster ids', full.replace('hold-time = 12', 'hold-time = 12\n  [neighbors.route-reflector.config]\n    route-reflector-cluster-id = "10.0.0.9"'), 52, /one cluster id per daemon; already 10\.0\.0\.1/],
  ];
  for (const [name, text, line, message] of cases) {
    it(`${name}: error at line ${line}`, () => {
      const e = errorOf(text);
      expect(e.message).toMatch(message);
      expect(e.line).toBe(line);
      expect(e.message.startsWith(`rr.toml:${line}: `)).toBe(true);
    });
  }

  it("the README's daemon config parses into a route reflector with a dynamic range", () => {
    const text = /<!-- daemon-config -->\s*```toml\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'))?.[1];
    expect(text).toBeDefined();
    const c = parseConfig(text!, 'README.md');
    expect(c.clusterId).toBe('192.0.2.1');
    expect(c.peerGroups.get('vteps')).toEqual({ asn: 65000, families: ['l2vpn-evpn'], routeReflectorClient: true });
    expect([...c.neighbors.keys()]).toEqual(['192.0.2.11']);
    expect(c.dynamicNeighbors).toEqual([{ prefix: '192.0.2.0/24', peerGroup: 'vteps', limit: 100 }]);
  });

  it('no [global.config] is an error', () => {
    expect(errorOf('[[neighbors]]\n').message).toMatch(/a \[global\.config\] section with as and router-id is required/);
    expect(errorOf('[global.config]\n  as = 1\n').message).toMatch(/router-id is required/);
  });

  it('line scan: arrays of tables nested in arrays, dotted and quoted keys, multi-line strings', () => {
    const text = '[[a]]\n  x = 1\n[[a.b]]\n  "y" = """\nz = 1\n"""\n[[a]]\n[[a.b]]\n[[a.b]]\n  p.q = 2\n';
    const m = scanLines(text);
    expect(m.get('a[0].x')).toBe(2);
    expect(m.get('a[0].b[0].y')).toBe(4);
    expect(m.has('a[0].b[0].z')).toBe(false);
    expect(m.get('a[1]')).toBe(7);
    expect(m.get('a[1].b[1]')).toBe(9);
    expect(m.get('a[1].b[1].p.q')).toBe(10);
    expect(lineOf(m, 'a[1].b[1].nothing')).toBe(9);
  });
});

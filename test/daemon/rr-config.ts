/** A bgp-evpnd config for tests: a route reflector with one peer group of RR clients (passive). */
export interface RrConfigOptions {
  readonly asn: number;
  readonly routerId: string;
  readonly listen: string;
  readonly port?: number;
  readonly clusterId: string;
  readonly holdTime?: number;
  readonly neighbors: readonly string[];
  readonly dynamic?: { readonly prefix: string; readonly limit: number };
  /** More TOML at the end. */
  readonly extra?: string;
}

export function rrConfig(o: RrConfigOptions): string {
  const lines = ['[global.config]', `  as = ${o.asn}`, `  router-id = "${o.routerId}"`, `  local-address-list = ["${o.listen}"]`];
  if (o.port !== undefined) lines.push(`  port = ${o.port}`);
  lines.push(
    '',
    '[[peer-groups]]',
    '  [peer-groups.config]',
    '    peer-group-name = "clients"',
    `    peer-as = ${o.asn}`,
    '  [[peer-groups.afi-safis]]',
    '    [peer-groups.afi-safis.config]',
    '      afi-safi-name = "l2vpn-evpn"',
    '  [peer-groups.route-reflector.config]',
    '    route-reflector-client = true',
    `    route-reflector-cluster-id = "${o.clusterId}"`,
    '  [peer-groups.transport.config]',
    '    passive-mode = true',
  );
  if (o.holdTime !== undefined) lines.push('  [peer-groups.timers.config]', `    hold-time = ${o.holdTime}`, `    keepalive-interval = ${Math.floor(o.holdTime / 3)}`);
  for (const n of o.neighbors) lines.push('', '[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n}"`, '    peer-group = "clients"');
  if (o.dynamic !== undefined) {
    lines.push('', '[[dynamic-neighbors]]', '  [dynamic-neighbors.config]', `    prefix = "${o.dynamic.prefix}"`, '    peer-group = "clients"', `    limit = ${o.dynamic.limit}`);
  }
  if (o.extra !== undefined) lines.push('', o.extra);
  return `${lines.join('\n')}\n`;
}

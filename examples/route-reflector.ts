/**
 * An EVPN route reflector (RFC 4456) in a few lines: every client's EVPN routes are reflected
 * to every other client, with ORIGINATOR_ID and CLUSTER_LIST added. Clients connect to us
 * (we are passive); it prints sessions and route changes as they happen.
 *
 *   npx tsx examples/route-reflector.ts --listen 127.0.0.20 --port 1179 --asn 65000 \
 *       --router-id 10.0.0.100 --client 127.0.0.21 --client 127.0.0.22 [--json] [--duration 0]
 *
 * `--port 0` picks a free port (printed in the `listening` event). Binding port 179 needs root
 * (or CAP_NET_BIND_SERVICE). Stops on Ctrl-C / SIGTERM, or after `--duration` seconds.
 */
import { parseArgs } from 'node:util';
import { BgpSpeaker, type RibRoute } from '../src/index.js';
import { num, runUntilStopped, usageError, withUsage } from './lib/lifetime.js';
import { Reporter, c, describeRoute, evpnSummary, routeHeaders, routeRows, table } from './lib/output.js';

const USAGE = `
usage: npx tsx examples/route-reflector.ts --client <address> [--client <address> ...]
         [--listen 127.0.0.1] [--port 179 (0 = any free port)] [--asn 65000] [--router-id A]
         [--cluster-id A] [--hold-time 90] [--json] [--duration seconds (0 = until Ctrl-C)]
  An EVPN route reflector (RFC 4456): clients connect to it; routes of one are reflected to the others.
`;
const { values: args } = withUsage(USAGE, () => parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '179' },
    asn: { type: 'string', default: '65000' },
    'router-id': { type: 'string', default: '10.0.0.100' },
    'cluster-id': { type: 'string' },
    client: { type: 'string', multiple: true, default: [] },
    'hold-time': { type: 'string', default: '90' },
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '0' },
  },
}));
const out = new Reporter(args.json);
const asn = num('asn', args.asn, 65000);
if (args.client.length === 0) usageError(USAGE, 'give at least one --client <address>');

const rr = new BgpSpeaker({
  asn,
  routerId: args['router-id'],
  listen: { address: args.listen, port: num('port', args.port, 179) },
  ...(args['cluster-id'] === undefined ? {} : { clusterId: args['cluster-id'] }),
});
// iBGP clients: routes from one are reflected to the others (RFC 4456 8)
for (const address of args.client) {
  rr.addPeer({ address, asn, families: ['l2vpn-evpn'], routeReflectorClient: true, passive: true, holdTime: num('hold-time', args['hold-time'], 90) });
}

rr.on('peerState', (peer, from, to, reason) =>
  out.event('peerState', { peer, from, to, reason }, `${to === 'Established' ? c.green(to) : to === 'Idle' ? c.red(to) : to} ${peer} (${from} -> ${to}: ${reason})`));
rr.on('notificationReceived', (peer, m) => out.event('notification', { peer, code: m.code, subcode: m.subcode }, c.red(`NOTIFICATION from ${peer}: ${m.code}/${m.subcode}${m.code === 6 ? ' (Cease)' : ''}`)));
const onRoute = (action: string, colour: (s: string) => string) => (_f: unknown, r: RibRoute) => {
  const s = evpnSummary(r);
  out.event('route', { action, ...s }, `${colour(action.padEnd(9))} ${describeRoute(s)} from ${r.peer} -> reflected to the other clients`);
};
rr.on('routeAdded', onRoute('added', c.green));
rr.on('routeReplaced', onRoute('replaced', c.yellow));
rr.on('routeWithdrawn', onRoute('withdrawn', c.red));

await rr.start();
const where = rr.listenAddress!;
out.event('listening', { address: where.address, port: where.port, asn, routerId: args['router-id'], clients: args.client },
  c.bold(`EVPN route reflector AS ${asn} listening on ${where.address}:${where.port}, clients ${args.client.join(', ')}`));

let routes: RibRoute[] = [];
const why = await runUntilStopped(num('duration', args.duration, 0), async () => {
  routes = [...rr.routes('l2vpn-evpn')];
  await rr.stop();
});
out.text(`\nLoc-RIB at stop (${routes.length} EVPN routes):\n${table(routeHeaders, routeRows(routes))}`);
out.event('stopped', { reason: why, routes: routes.length }, `stopped (${why})`);

/**
 * A network-automation app: connect to a BGP EVPN peer (a route reflector, a leaf switch,
 * GoBGP, FRR) and print its EVPN routes as they change — `+` added, `~` replaced, `-` withdrawn —
 * in text or as JSON lines for a pipeline. Nothing is announced: it only listens.
 *
 *   npx tsx examples/automation.ts --peer 192.0.2.1 --peer-as 65000 --asn 65000 \
 *       --router-id 192.0.2.100 [--local-address 192.0.2.100] [--port 179] [--passive] \
 *       [--json] [--duration 0]
 *
 * With `--passive` it waits for the peer to connect (listening on --local-address, port
 * --listen-port, default 179: root or CAP_NET_BIND_SERVICE). Ctrl-C prints the table and stops.
 */
import { parseArgs } from 'node:util';
import { BgpSpeaker, type RibRoute } from '../src/index.js';
import { num, runUntilStopped, usageError, withUsage } from './lib/lifetime.js';
import { Reporter, c, describeRoute, evpnSummary, routeHeaders, routeRows, table } from './lib/output.js';

const USAGE = `
usage: npx tsx examples/automation.ts --peer <address> [--peer-as N] [--asn 65000] [--router-id A]
         [--local-address A] [--port 179] [--passive [--listen-port 179]] [--hold-time 90]
         [--json] [--duration seconds (0 = until Ctrl-C)]
  Connects to a BGP EVPN peer and prints its EVPN routes as they change (+ added, ~ replaced, - withdrawn).
`;
const { values: args } = withUsage(USAGE, () => parseArgs({
  options: {
    peer: { type: 'string' },
    'peer-as': { type: 'string' },
    asn: { type: 'string', default: '65000' },
    'router-id': { type: 'string', default: '10.0.0.200' },
    'local-address': { type: 'string' },
    port: { type: 'string', default: '179' },
    passive: { type: 'boolean', default: false },
    'listen-port': { type: 'string', default: '179' },
    'hold-time': { type: 'string', default: '90' },
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '0' },
  },
}));
if (args.peer === undefined) usageError(USAGE, '--peer <address> is required');
const out = new Reporter(args.json);
const asn = num('asn', args.asn, 65000);
const peerAs = num('peer-as', args['peer-as'], asn);
const local = args['local-address'];

const speaker = new BgpSpeaker({
  asn,
  routerId: args['router-id'],
  listen: args.passive ? { address: local ?? '::', port: num('listen-port', args['listen-port'], 179) } : false,
});
speaker.addPeer({
  address: args.peer,
  asn: peerAs,
  port: num('port', args.port, 179),
  families: ['l2vpn-evpn'],
  passive: args.passive,
  holdTime: num('hold-time', args['hold-time'], 90),
  connectRetryTime: 2,
  idleHoldTime: 2,
  ...(local === undefined ? {} : { localAddress: local }),
});

speaker.on('peerState', (peer, from, to, reason) => out.event('peerState', { peer, from, to, reason }, `${c.dim('session')} ${peer}: ${from} -> ${to} (${reason})`));
speaker.on('established', (peer, n) =>
  out.event('established', { peer, peerAsn: n.peerAsn, peerRouterId: n.peerRouterId, holdTime: n.holdTime },
    c.green(`established with ${peer} (AS ${n.peerAsn}, router id ${n.peerRouterId}, hold ${n.holdTime} s)`)));
speaker.on('notificationReceived', (peer, m) => out.event('notification', { peer, code: m.code, subcode: m.subcode }, c.red(`NOTIFICATION from ${peer}: ${m.code}/${m.subcode}`)));

const show = (action: 'added' | 'replaced' | 'withdrawn', mark: string, colour: (s: string) => string) => (_f: unknown, r: RibRoute) => {
  const s = evpnSummary(r);
  out.event('route', { action, ...s }, `${colour(mark)} ${describeRoute(s)}${s.vni === undefined ? '' : ` vni ${s.vni}`}`);
};
speaker.on('routeAdded', show('added', '+', c.green));
speaker.on('routeReplaced', show('replaced', '~', c.yellow));
speaker.on('routeWithdrawn', show('withdrawn', '-', c.red));

await speaker.start();
out.event('started', { peer: args.peer, peerAs, asn, passive: args.passive },
  c.bold(`watching EVPN routes from ${args.peer} (AS ${peerAs}) as AS ${asn}${args.passive ? ', passive' : ''}; Ctrl-C to stop`));

let routes: RibRoute[] = [];
const why = await runUntilStopped(num('duration', args.duration, 0), async () => {
  routes = [...speaker.routes('l2vpn-evpn')];
  await speaker.stop();
});
out.text(`\n${routes.length} EVPN routes at stop:\n${table(routeHeaders, routeRows(routes))}`);
out.event('stopped', { reason: why, routes: routes.length }, `stopped (${why})`);

/**
 * `npm run demo`: an EVPN fabric in one process, no root needed.
 *
 * Three BgpSpeakers talk real BGP over real TCP sockets on loopback: a route reflector
 * (127.0.0.10) and two VTEPs (127.0.0.11, 127.0.0.12). Each VTEP has a VtepManager (EVPN routes
 * <-> tables) and a VxlanEngine whose UDP underlay sends real VXLAN packets between the two
 * loopback addresses. Behind each VTEP sits a virtual host on VNI 100.
 *
 * It shows, step by step: sessions coming up, Type-3 then Type-2 routes, the tables, an ARP
 * request answered from the EVPN table (suppression), ping through VXLAN, and a MAC move with
 * its MAC-mobility sequence number.
 *
 *   npx tsx examples/demo.ts [--json] [--vni 100] [--vxlan-port 4789] [--step-timeout 5000]
 *
 * Exit 0 when every step happened; 1 (with the step that did not) otherwise.
 */
import { parseArgs } from 'node:util';
import { BgpSpeaker, UdpUnderlay, VirtualHost, VtepManager, VxlanEngine, type RibRoute } from '../src/index.js';
import { withUsage } from './lib/lifetime.js';
import { Reporter, c, describeRoute, evpnSummary, routeHeaders, routeRows, table } from './lib/output.js';

const USAGE = `
usage: npm run demo -- [--json] [--vni 100] [--asn 65000] [--vxlan-port 4789] [--step-timeout 5000]
  An EVPN fabric in one process on loopback (a route reflector and two VTEPs), no root needed.
  --json           one JSON object per event, then a summary
  --vxlan-port     UDP port of the VXLAN underlay on 127.0.0.11/12 (default 4789)
  --step-timeout   ms each step may take before the demo fails (exit 1)
`;
const { values: args } = withUsage(USAGE, () => parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    vni: { type: 'string', default: '100' },
    'vxlan-port': { type: 'string', default: '4789' },
    'step-timeout': { type: 'string', default: '5000' },
    asn: { type: 'string', default: '65000' },
  },
}));
const VNI = Number(args.vni);
const ASN = Number(args.asn);
const STEP_MS = Number(args['step-timeout']);
const out = new Reporter(args.json);

const RR = { name: 'rr', address: '127.0.0.10' };
const VTEPS = [
  { name: 'vtep1', address: '127.0.0.11' },
  { name: 'vtep2', address: '127.0.0.12' },
] as const;
const H1 = { name: 'h1', mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' };
const H2 = { name: 'h2', mac: '02:00:00:00:00:02', ipv4: '192.0.2.2' };
const GATEWAY = '192.0.2.254';

interface Vtep {
  name: string;
  address: string;
  speaker: BgpSpeaker;
  engine: VxlanEngine;
  manager: VtepManager;
}

// ---------------------------------------------------------------- resources (all closed in cleanup)
const speakers: BgpSpeaker[] = [];
const vteps: Vtep[] = [];
let closing = false;
const stats = { sessionEnds: 0, routesReceived: 0, routesOriginated: 0, arpSuppressed: 0, pingsSent: 0, pingsReceived: 0, macMoves: 0 };

/** Wait (bounded) until `check()` holds; throws with the step's name otherwise. */
async function until(what: string, check: () => boolean, timeoutMs = STEP_MS): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function step(n: number, title: string): void {
  out.event('step', { step: n, title }, `${c.bold(c.cyan(`Step ${n}`))} ${c.bold(title)}`);
}

function speaker(name: string, address: string, listen: boolean): BgpSpeaker {
  const s = new BgpSpeaker({ asn: ASN, routerId: address, listen: listen ? { address, port: 0 } : false });
  s.on('established', (peer, neg) => {
    stats.sessionEnds++;
    out.event('session', { at: name, peer, state: 'Established', holdTime: neg.holdTime, families: ['l2vpn-evpn'] },
      `${c.green('session up')}   ${name} <-> ${peer}  (iBGP AS ${ASN}, hold ${neg.holdTime} s)`);
  });
  s.on('peerState', (peer, from, to, reason) => {
    if (!closing) out.event('peerState', { at: name, peer, from, to, reason });
  });
  const onRoute = (action: 'added' | 'replaced' | 'withdrawn') => (_f: unknown, r: RibRoute) => {
    if (r.peer === 'local' || closing) return;
    stats.routesReceived++;
    const s = evpnSummary(r);
    const colour = action === 'withdrawn' ? c.red : s.type === 2 ? c.magenta : c.blue;
    out.event('route', { at: name, action, ...s }, `${colour(`route ${action.padEnd(9)}`)} at ${name}: ${describeRoute(s)} (from ${r.peer})`);
  };
  s.on('routeAdded', onRoute('added'));
  s.on('routeReplaced', onRoute('replaced'));
  s.on('routeWithdrawn', onRoute('withdrawn'));
  speakers.push(s);
  return s;
}

async function openUnderlay(address: string): Promise<UdpUnderlay> {
  const port = Number(args['vxlan-port']);
  try {
    return await UdpUnderlay.open({ address4: address, port, remotePort: port, sourcePorts: 2 });
  } catch (e) {
    throw new Error(`cannot bind VXLAN UDP ${address}:${port} (${(e as Error).message}); try --vxlan-port <free port>`);
  }
}

function printTables(): void {
  for (const v of vteps) {
    const routes = [...v.speaker.routes('l2vpn-evpn')];
    out.event('table', { at: v.name, routes: routes.map(evpnSummary), macs: v.manager.macs(VNI), floodList: v.manager.floodList(VNI) });
    out.text(`\n  ${c.bold(`${v.name} (${v.address})`)} EVPN Loc-RIB:`);
    out.text(table(routeHeaders, routeRows(routes)));
    out.text(`  ${c.bold(v.name)} VNI ${VNI} MAC table (flood list: ${v.manager.floodList(VNI).join(', ') || '-'}):`);
    out.text(table(['MAC', 'where', 'seq', 'IP'], v.manager.macs(VNI).map((m) => [m.mac, m.location === 'local' ? `local (${m.port ?? '?'})` : m.location, String(m.seq), ipsOf(v, m.mac)])));
    out.text('');
  }
}

function ipsOf(v: Vtep, mac: string): string {
  return [H1, H2].filter((h) => h.mac === mac && v.manager.resolveIp(VNI, h.ipv4) === mac).map((h) => h.ipv4).join(' ') || '-';
}

function where(v: Vtep, mac: string): string | undefined {
  const e = v.manager.lookupMac(VNI, mac);
  return e === undefined ? undefined : `${e.location}#${e.seq}`;
}

async function main(): Promise<void> {
  out.event('start', { vni: VNI, asn: ASN, routeReflector: RR.address, vteps: VTEPS.map((v) => v.address) },
    c.bold(`bgp-evpn demo: a route reflector and two VTEPs on loopback TCP, VNI ${VNI}, VXLAN over UDP`));

  // ---- 1. sessions
  step(1, 'BGP sessions over real TCP: vtep1 and vtep2 are route-reflector clients of rr');
  const rr = speaker(RR.name, RR.address, true);
  for (const v of VTEPS) rr.addPeer({ address: v.address, asn: ASN, families: ['l2vpn-evpn'], routeReflectorClient: true, passive: true });
  await rr.start();
  const rrPort = rr.listenAddress!.port;
  out.event('listening', { at: RR.name, address: RR.address, port: rrPort }, `rr listens on ${RR.address}:${rrPort}`);
  for (const v of VTEPS) {
    const s = speaker(v.name, v.address, false);
    s.addPeer({ address: RR.address, port: rrPort, asn: ASN, families: ['l2vpn-evpn'], localAddress: v.address, connectRetryTime: 1, idleHoldTime: 1 });
    const engine = new VxlanEngine({ underlay: await openUnderlay(v.address) });
    const manager = new VtepManager({ speaker: s, dataplane: engine, vtepAddress: v.address });
    const vt: Vtep = { ...v, speaker: s, engine, manager };
    manager.on('routeOriginated', (r) => {
      stats.routesOriginated++;
      const n = r.nlri as { routeType: number; mac?: string; ip?: string; originator?: string; rd: string };
      out.event('originated', { at: v.name, type: n.routeType, rd: n.rd, mac: n.mac, ip: n.ip, originator: n.originator },
        `${c.yellow('originate')}       ${v.name}: Type-${n.routeType} ${n.routeType === 2 ? `${n.mac}${n.ip ? ` ${n.ip}` : ''}` : `flood ${n.originator}`}`);
    });
    manager.on('macLearned', (e) => out.event('macLearned', { at: v.name, ...e }, `${c.yellow('mac learned')}     ${v.name}: ${e.mac} on port ${e.port} (seq ${e.seq})`));
    manager.on('macMoved', (e) => {
      stats.macMoves++;
      out.event('macMoved', { at: v.name, ...e }, `${c.magenta('mac moved')}       ${v.name}: ${e.mac} ${e.from} -> ${e.to}, sequence ${e.seq}`);
    });
    manager.on('floodListChanged', (e) => out.event('floodList', { at: v.name, ...e }, `flood list      ${v.name}: VNI ${e.vni} -> [${e.vteps.join(', ')}]`));
    manager.on('arpEntryInstalled', (e) => out.event('arpEntry', { at: v.name, ...e }, `arp entry       ${v.name}: ${e.ip} is ${e.mac}`));
    vteps.push(vt);
    await s.start();
  }
  await until('both VTEP sessions Established', () => VTEPS.every((v) => rr.peerState(v.address) === 'Established') && vteps.every((v) => v.speaker.peerState(RR.address) === 'Established'));

  // ---- 2. Type-3: each VTEP joins the VNI's flood list of the other
  step(2, `VNI ${VNI} configured: Type-3 (inclusive multicast) routes build the flood lists`);
  for (const v of vteps) v.manager.addVni({ vni: VNI });
  const [v1, v2] = vteps as [Vtep, Vtep];
  await until('Type-3 routes exchanged (flood lists)', () => v1.manager.floodList(VNI).includes(v2.address) && v2.manager.floodList(VNI).includes(v1.address));

  // ---- 3. hosts appear: MACs learned from frames, IPs snooped from ARP, Type-2 routes out
  step(3, 'hosts appear: h1 behind vtep1 asks for h2 (ARP, flooded over VXLAN); learned MACs become Type-2 routes');
  const h1 = new VirtualHost(H1);
  const h2 = new VirtualHost(H2);
  v1.engine.attachPort(VNI, h1);
  v2.engine.attachPort(VNI, h2);
  const mac2 = await h1.resolve(H2.ipv4, { tries: 3, timeoutMs: 1000 });
  if (mac2 === undefined) throw new Error('h1 got no ARP reply from h2 over VXLAN');
  out.event('arpResolved', { host: 'h1', ip: H2.ipv4, mac: H2.mac, via: 'flood over VXLAN' },
    `arp             h1: ${H2.ipv4} is at ${H2.mac} (request flooded over VXLAN, h2 answered)`);
  // h2 asks for its gateway (absent here): vtep2 snoops h2's own IP from the request
  await h2.resolve(GATEWAY, { tries: 1, timeoutMs: 100 });
  out.event('arpSnooped', { host: 'h2', ip: H2.ipv4, asked: GATEWAY }, `arp             h2: asks for its gateway ${GATEWAY} (no answer); vtep2 snoops ${H2.ipv4} from the request`);
  await until('h1 and h2 (MAC+IP) known at the other VTEP', () =>
    where(v2, H1.mac) === `${v1.address}#0` && v2.manager.resolveIp(VNI, H1.ipv4) === H1.mac &&
    where(v1, H2.mac) === `${v2.address}#0` && v1.manager.resolveIp(VNI, H2.ipv4) === H2.mac);
  printTables();

  // ---- 4. ARP suppression
  step(4, `ARP suppression: h2 asks for ${H1.ipv4}; vtep2 answers from its EVPN table, nothing crosses the overlay`);
  const before = { ...v2.engine.vniCounters(VNI)! };
  const decapAt1 = v1.engine.vniCounters(VNI)!.decapFrames;
  h2.neighbors.clear(); // h2 cached h1 from its flooded request (RFC 826): forget it, so it asks
  const mac1 = await h2.resolve(H1.ipv4, { tries: 1, timeoutMs: 1000 });
  const after = v2.engine.vniCounters(VNI)!;
  const suppressed = after.arpSuppressed - before.arpSuppressed;
  const flooded = after.arpFlooded - before.arpFlooded;
  const encapsulated = after.encapFrames - before.encapFrames;
  if (mac1?.toString('hex') !== H1.mac.replace(/:/g, '') || suppressed !== 1 || flooded !== 0 || encapsulated !== 0) {
    throw new Error(`ARP not suppressed: answer ${mac1?.toString('hex')}, suppressed ${suppressed}, flooded ${flooded}, encapsulated ${encapsulated}`);
  }
  stats.arpSuppressed += suppressed;
  out.event('arpSuppressed', { at: v2.name, asker: 'h2', ip: H1.ipv4, answer: H1.mac, suppressed, flooded, encapsulated, decapAtVtep1: v1.engine.vniCounters(VNI)!.decapFrames - decapAt1 },
    `${c.green('arp suppressed')}  vtep2 answered h2: ${H1.ipv4} is at ${H1.mac} (flooded ${flooded}, VXLAN packets sent ${encapsulated})`);

  // ---- 5. ping through VXLAN
  step(5, 'ping h1 -> h2: ICMP echo encapsulated in VXLAN (UDP 127.0.0.11 <-> 127.0.0.12)');
  const enc1 = v1.engine.vniCounters(VNI)!.encapFrames;
  const dec1 = v1.engine.vniCounters(VNI)!.decapFrames;
  const ping = await h1.ping(H2.ipv4, { count: 3, timeoutMs: 1000, intervalMs: 20 });
  stats.pingsSent += ping.transmitted;
  stats.pingsReceived += ping.received;
  ping.rttMs.forEach((rtt, i) => out.event('ping', { from: 'h1', to: H2.ipv4, seq: i + 1, rttMs: Math.round(rtt * 1000) / 1000, vxlan: true },
    `${c.green('ping reply')}      h1 <- ${H2.ipv4}: seq ${i + 1} time ${rtt.toFixed(2)} ms (via VXLAN VNI ${VNI})`));
  const vx = { encapsulated: v1.engine.vniCounters(VNI)!.encapFrames - enc1, decapsulated: v1.engine.vniCounters(VNI)!.decapFrames - dec1 };
  if (ping.received !== 3 || vx.encapsulated < 3 || vx.decapsulated < 3) throw new Error(`ping failed: ${ping.received}/3 replies, vtep1 VXLAN ${JSON.stringify(vx)}`);
  out.event('pingSummary', { transmitted: ping.transmitted, received: ping.received, vtep1: vx },
    `ping            ${ping.received}/${ping.transmitted} replies; vtep1 encapsulated ${vx.encapsulated}, decapsulated ${vx.decapsulated} VXLAN packets`);

  // ---- 6. MAC move: h2 shows up behind vtep1 -> sequence 1, vtep2 withdraws
  step(6, 'h2 moves to vtep1: vtep1 learns it with MAC-mobility sequence 1, vtep2 yields and withdraws');
  const h2b = new VirtualHost({ ...H2, name: 'h2-moved' });
  v1.engine.attachPort(VNI, h2b);
  // its first frame (ARP for the gateway again): a local learn on vtep1, and its IP snooped
  void h2b.resolve(GATEWAY, { tries: 1, timeoutMs: 100 });
  await until('move converged (sequence 1 everywhere)', () => where(v1, H2.mac) === 'local#1' && where(v2, H2.mac) === `${v1.address}#1`);
  v2.engine.detachPort(h2); // the old copy of the host is gone
  const fromVtep2 = () => [...v1.speaker.routes('l2vpn-evpn')].some((r) => (r.nlri as { mac?: string; rd?: string }).mac === H2.mac && (r.nlri as { rd?: string }).rd === `${v2.address}:${VNI}`);
  await until('vtep2 withdrew its Type-2 routes for h2, h2\'s IP is bound at vtep1 (seq 1)', () =>
    !fromVtep2() && v2.manager.resolveIp(VNI, H2.ipv4) === H2.mac && v1.manager.resolveIp(VNI, H2.ipv4) === H2.mac);
  const ping2 = await h1.ping(H2.ipv4, { count: 1, timeoutMs: 1000 });
  stats.pingsSent += ping2.transmitted;
  stats.pingsReceived += ping2.received;
  if (ping2.received !== 1) throw new Error('no ping reply from h2 after the move');
  out.event('ping', { from: 'h1', to: H2.ipv4, seq: 4, rttMs: Math.round(ping2.rttMs[0]! * 1000) / 1000, vxlan: false },
    `${c.green('ping reply')}      h1 <- ${H2.ipv4} after the move (now local to vtep1: switched, no VXLAN)`);
  printTables();

  // a session has two ends, each of which reports it Established: text and JSON count sessions
  const sessions = stats.sessionEnds / 2;
  out.event('summary', { ok: true, durationMs: out.ms(), sessions, ...stats },
    c.bold(c.green(`done: ${sessions} sessions up, ${stats.routesOriginated} routes originated, ${stats.routesReceived} route events received, ` +
      `${stats.arpSuppressed} ARP suppressed, ${stats.pingsReceived}/${stats.pingsSent} pings, ${stats.macMoves} move events`)));
}

async function cleanup(): Promise<void> {
  closing = true;
  for (const v of vteps) v.manager.close();
  await Promise.all(vteps.map((v) => v.engine.close()));
  await Promise.all(speakers.map((s) => s.stop()));
}

// a hard bound on the whole run: never hang
const watchdog = setTimeout(() => {
  process.stderr.write('demo: did not finish within 60 s\n');
  process.exit(1);
}, 60_000);
watchdog.unref();

main()
  .then(cleanup)
  .then(() => clearTimeout(watchdog))
  .catch(async (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    await cleanup().catch(() => {});
    out.event('error', { ok: false, message });
    process.stderr.write(`${c.red('demo failed:')} ${message}\n`);
    process.exitCode = 1;
  });

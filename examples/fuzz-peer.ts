/**
 * Fuzz a BGP EVPN peer with the fast-check generators exported by `bgp-evpn/testing`:
 * near-valid messages (lying lengths, bad flags, truncated/duplicated attributes), random bodies
 * behind a valid header, and EVPN UPDATEs whose NLRI has one thing wrong. Each input goes to
 * the peer over an Established session; we record how it reacted — a NOTIFICATION (code and
 * subcode), a silent close, or nothing (it stayed up) — reconnecting after every reset.
 *
 *   npx tsx examples/fuzz-peer.ts --peer 192.0.2.1 --peer-as 65000 --asn 65000 \
 *       --router-id 192.0.2.100 [--local-address A] [--port 179] [--count 50] \
 *       [--time-limit 60] [--seed 1] [--mode mixed|mutated|random|evpn] [--json]
 *
 * Bounded: at most --count inputs and --time-limit seconds; a peer that takes no session for
 * --reconnect-for seconds (default 15) is reported gone. Exit 0 when the peer still accepts a
 * session at the end, 2 when it does not (it crashed or refuses), 1 on usage errors.
 * Only fuzz peers you own.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { arbMutatedMessage, arbNearValidEvpnNlri, arbRandomMessage } from '../src/testing/index.js';
import { parseIpv4 } from '../src/index.js';
import { num, usageError, withUsage } from './lib/lifetime.js';
import { Reporter, c, table } from './lib/output.js';
import { RawSession, keepaliveBytes, type PeerNotification } from './lib/raw-session.js';

const USAGE = `
usage: npx tsx examples/fuzz-peer.ts --peer <address> [--port 179] [--peer-as N] [--asn 65000]
         [--router-id A] [--local-address A] [--count 50] [--time-limit 60] [--seed 1]
         [--mode mixed|mutated|random|evpn] [--observe-ms 300] [--reconnect-for 15] [--json]
  Sends generated inputs to a peer you own and records how it reacts. Exit 0: the peer still
  accepts a session at the end; 2: it does not (crashed or refusing).
`;
const { values: args } = withUsage(USAGE, () => parseArgs({
  options: {
    peer: { type: 'string' },
    port: { type: 'string', default: '179' },
    'peer-as': { type: 'string' },
    asn: { type: 'string', default: '65000' },
    'router-id': { type: 'string', default: '10.0.0.250' },
    'local-address': { type: 'string' },
    count: { type: 'string', default: '50' },
    'time-limit': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'mixed' },
    'observe-ms': { type: 'string', default: '300' },
    'reconnect-for': { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
  },
}));
if (args.peer === undefined) usageError(USAGE, '--peer <address> is required');
const out = new Reporter(args.json);
const asn = num('asn', args.asn, 65000);
const peerAs = num('peer-as', args['peer-as'], asn);
const count = num('count', args.count, 50);
const deadline = performance.now() + num('time-limit', args['time-limit'], 60) * 1000;
const observeMs = num('observe-ms', args['observe-ms'], 300);
const reconnectMs = num('reconnect-for', args['reconnect-for'], 15) * 1000;
const session = {
  address: args.peer,
  port: num('port', args.port, 179),
  asn,
  routerId: args['router-id'],
  holdTime: 30,
  families: [{ afi: 25, safi: 70 }],
  ...(args['local-address'] === undefined ? {} : { localAddress: args['local-address'] }),
};

// ---------------------------------------------------------------- inputs

/** An UPDATE carrying `nlri` (possibly broken) in an EVPN MP_REACH, with ORIGIN and AS_PATH. */
function evpnUpdate(nlri: Buffer): Buffer {
  const nh = Buffer.alloc(4);
  nh.writeUInt32BE(parseIpv4(args['router-id']) >>> 0);
  const origin = Buffer.from([0x40, 1, 1, 0]);
  // iBGP: empty AS_PATH; eBGP: our AS first (4-octet AS negotiated)
  const asPath = asn === peerAs ? Buffer.from([0x40, 2, 0]) : Buffer.from([0x40, 2, 6, 2, 1, asn >>> 24, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff]);
  const mpBody = Buffer.concat([Buffer.from([0, 25, 70, 4]), nh, Buffer.from([0]), nlri]);
  const mp = Buffer.concat([Buffer.from([0x90, 14, mpBody.length >> 8, mpBody.length & 0xff]), mpBody]);
  const attrs = Buffer.concat([origin, asPath, mp]);
  const msg = Buffer.alloc(23 + attrs.length, 0xff);
  msg.writeUInt16BE(msg.length, 16);
  msg[18] = 2;
  msg.writeUInt16BE(0, 19);
  msg.writeUInt16BE(attrs.length, 21);
  attrs.copy(msg, 23);
  return msg;
}

const generators: Record<string, fc.Arbitrary<{ kind: string; bytes: Buffer }>> = {
  mutated: arbMutatedMessage({ fourOctetAs: true }).map((bytes) => ({ kind: 'mutated', bytes })),
  random: arbRandomMessage().map((bytes) => ({ kind: 'random', bytes })),
  evpn: arbNearValidEvpnNlri().map((n) => ({ kind: 'evpn', bytes: evpnUpdate(n) })),
};
const arb = args.mode === 'mixed' ? fc.oneof(generators.mutated!, generators.random!, generators.evpn!) : generators[args.mode];
if (arb === undefined) usageError(USAGE, `--mode: mixed, mutated, random or evpn (not ${args.mode})`);
const inputs = fc.sample(arb, { seed: num('seed', args.seed, 1), numRuns: count });

// ---------------------------------------------------------------- run

type Outcome = { outcome: 'notification'; notification: PeerNotification } | { outcome: 'closed' } | { outcome: 'stayed-up' };
const tally = new Map<string, number>();
const results: Outcome[] = [];
let reconnects = 0;
let peerGone = false;

async function connect(): Promise<RawSession | undefined> {
  // the peer may hold off new sessions after a reset (its idle-hold time): retry, bounded by
  // --reconnect-for (then we call it gone) and by the overall time limit
  const giveUp = Math.min(deadline, performance.now() + reconnectMs);
  while (performance.now() < giveUp) {
    const s = await RawSession.open(session, 3000);
    if (s !== undefined) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

out.event('start', { peer: args.peer, port: session.port, asn, peerAs, count, mode: args.mode, seed: Number(args.seed) },
  c.bold(`fuzzing ${args.peer}:${session.port} (AS ${peerAs}) with ${count} ${args.mode} inputs, seed ${args.seed}`));
let s = await connect();
if (s === undefined) {
  out.event('error', { message: 'no session with the peer' });
  process.stderr.write(`fuzz-peer: could not establish a session with ${args.peer}\n`);
  process.exit(1);
}
for (let i = 0; i < inputs.length && performance.now() < deadline; i++) {
  if (s === undefined) {
    reconnects++;
    s = await connect();
    if (s === undefined) {
      peerGone = true;
      out.event('peerGone', { afterCase: i - 1 }, c.red(`no session with the peer for ${reconnectMs / 1000} s after input #${i - 1}: it is down or refusing`));
      break;
    }
  }
  const input = inputs[i]!;
  s.send(keepaliveBytes); // keeps the hold timer happy between inputs
  s.send(input.bytes);
  const sess: RawSession = s;
  await sess.until(() => sess.closed || sess.notification !== undefined, observeMs);
  let r: Outcome;
  if (sess.notification !== undefined) r = { outcome: 'notification', notification: sess.notification };
  else if (sess.closed) r = { outcome: 'closed' };
  else r = { outcome: 'stayed-up' };
  results.push(r);
  const key = r.outcome === 'notification' ? `NOTIFICATION ${r.notification.code}/${r.notification.subcode}` : r.outcome;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  out.event('case', { i, kind: input.kind, length: input.bytes.length, hex: input.bytes.toString('hex').slice(0, 128), ...r },
    `#${String(i).padStart(3)} ${input.kind.padEnd(7)} ${String(input.bytes.length).padStart(4)} B -> ${r.outcome === 'stayed-up' ? c.green(key) : c.yellow(key)}`);
  if (r.outcome !== 'stayed-up') s = await sess.close();
}
await s?.close();

// after all that, does the peer still take a clean session?
const probe = peerGone ? undefined : await connect();
const aliveAtEnd = probe !== undefined;
await probe?.close();

out.text(`\n${table(['peer reaction', 'inputs'], [...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, String(n)]))}`);
out.event('summary', { cases: results.length, reconnects, outcomes: Object.fromEntries(tally), aliveAtEnd, peerGone, timedOut: !peerGone && results.length < inputs.length },
  `${results.length} inputs, ${reconnects} reconnects; peer ${aliveAtEnd ? c.green('still accepts sessions') : c.red('no longer accepts sessions')}`);
process.exitCode = aliveAtEnd ? 0 : 2;

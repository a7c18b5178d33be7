/**
 * examples/fuzz-peer.ts against real GoBGP 3.10 in a namespace (root-attached topology,
 * firstOctet 91), bounded runs (count and time) of inputs from the exported generators:
 * - near-valid EVPN UPDATEs: every input gets a recorded reaction, GoBGP survives them all;
 * - the mixed generator (seed 7): its second input is an OPEN sent in Established, on which
 *   GoBGP 3.10 panics ("interface conversion: bgp.BGPBody is *bgp.BGPOpen, not
 *   *bgp.BGPUpdate", peer.go handleUpdate). The example must report the peer gone (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReal } from '../helpers/netns.js';
import { Topology } from './harness/topology.js';
import { Gobgp } from './harness/gobgp.js';
import { ExampleProcess } from '../examples/child.js';

const skip = missingReal(['gobgpd', 'gobgp']);
const AS = 65000;

describe.skipIf(skip !== undefined)('examples/fuzz-peer.ts with GoBGP', () => {
  let topo: Topology;
  let gobgp: Gobgp;
  let fuzz: ExampleProcess | undefined;

  beforeAll(async () => {
    topo = await Topology.create({ nodes: 1, root: true, firstOctet: 91, prefix: 'xf' });
    gobgp = await Gobgp.start(topo.lab, {
      ns: topo.node(0).ns, asn: AS, routerId: topo.node(0).vtep, listen: topo.node(0).ip,
      // after a reset GoBGP stays Idle for idle-hold-time-after-reset (default 30 s): keep it short
      neighbors: [{ address: topo.rootIp!, asn: AS, passive: true, holdTime: 30, idleHoldTimeAfterReset: 1 }],
    });
  }, 120_000);

  afterAll(async () => {
    await fuzz?.stop();
    await topo?.destroy();
  });

  function run(args: string[]): ExampleProcess {
    fuzz = new ExampleProcess('examples/fuzz-peer.ts', [
      '--peer', topo.node(0).ip, '--peer-as', String(AS), '--asn', String(AS), '--router-id', topo.rootIp!,
      '--local-address', topo.rootIp!, '--json', ...args,
    ]);
    return fuzz;
  }

  it('near-valid EVPN UPDATEs: each input gets a reaction, GoBGP survives, exit 0', async () => {
    const f = run(['--mode', 'evpn', '--count', '30', '--time-limit', '90', '--seed', '3']);
    const code = await f.exit(120_000);
    const summary = f.events.find((e) => e.event === 'summary');
    expect(code, f.stdout.slice(-4000) + f.stderr).toBe(0);
    const cases = f.events.filter((e) => e.event === 'case');
    expect(cases).toHaveLength(30);
    expect(cases.every((e) => e.kind === 'evpn')).toBe(true);
    expect(summary).toMatchObject({ cases: 30, aliveAtEnd: true, peerGone: false, timedOut: false });
    for (const e of cases) {
      expect(['notification', 'closed', 'stayed-up']).toContain(e.outcome);
      if (e.outcome === 'notification') {
        const n = e.notification as { code: number; subcode: number };
        expect(n.code).toBeGreaterThanOrEqual(1);
        expect(n.code).toBeLessThanOrEqual(6);
      }
    }
    const resets = cases.filter((e) => e.outcome !== 'stayed-up').length;
    expect(summary!.reconnects).toBe(resets - (cases.at(-1)!.outcome === 'stayed-up' ? 0 : 1));
    const tally = summary!.outcomes as Record<string, number>;
    expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(30);
    expect(gobgp.pid).toBeDefined();
    expect(gobgp.neighbors()).toHaveLength(1);
    fuzz = undefined;
  });

  it('mixed inputs (seed 7) find the GoBGP 3.10 panic on an OPEN in Established: reported as peer gone, exit 2', async () => {
    // --observe-ms 2000: time for the crash to show as a close of input #1, even on a busy machine
    const f = run(['--mode', 'mixed', '--count', '30', '--time-limit', '90', '--seed', '7', '--reconnect-for', '8', '--observe-ms', '2000']);
    const code = await f.exit(120_000);
    expect(code, f.stdout.slice(-4000) + f.stderr).toBe(2);
    const cases = f.events.filter((e) => e.event === 'case');
    // input #1 is an OPEN (type 1) sent in Established; GoBGP drops the connection without a NOTIFICATION
    expect(cases[1]).toMatchObject({ i: 1, kind: 'mutated', outcome: 'closed' });
    expect((cases[1]!.hex as string).slice(32, 38)).toMatch(/^....01$/);
    expect(f.events).toContainEqual(expect.objectContaining({ event: 'peerGone', afterCase: 1 }));
    expect(f.events.at(-1)).toMatchObject({ event: 'summary', cases: 2, aliveAtEnd: false, peerGone: true });
    // and it really is a crash of the daemon, not a refusal
    expect(gobgp.pid).toBeUndefined(); // exited (exit status 2, Go's panic)
    expect(gobgp.log()).toContain('panic: interface conversion: bgp.BGPBody is *bgp.BGPOpen, not *bgp.BGPUpdate');
    fuzz = undefined;
  });
});

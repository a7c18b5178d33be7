/**
 * bgp-evpnd as a child process on loopback (127.0.30.1, a free high port), with our own
 * BgpSpeakers as route-reflector clients: a Type-2 is reflected (ORIGINATOR_ID, CLUSTER_LIST);
 * SIGHUP with a new neighbor in the file adds it while the other sessions stay up (no second
 * OPEN on them); a dynamic-neighbor range takes a client that no config names; a broken file on
 * SIGHUP changes nothing; a neighbor deleted from the file gets Cease / de-configured; SIGTERM
 * sends Cease to every client and exits 0. A config error exits 1 naming the line.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, inclusiveMulticastRoute, macIpRoute, type RibRoute } from '../../src/index.js';
import { ExampleProcess } from '../examples/child.js';
import { freePort, waitFor } from '../helpers/netns.js';
import { rrConfig } from './rr-config.js';

const RR = '127.0.30.1';
const A = '127.0.30.11';
const B = '127.0.30.12';
const C = '127.0.30.13';
const D = '127.0.31.5'; // only in the dynamic range
const AS = 65000;

let daemon: ExampleProcess | undefined;
const clients: BgpSpeaker[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bgp-evpnd-'));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((s) => s.stop()));
  await daemon?.stop();
  daemon = undefined;
});
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Bounded wait; on time-out the daemon's output is in the error. */
const until = <T>(what: string, f: () => T | undefined | false, timeoutMs = 10_000): Promise<T> =>
  waitFor(what, timeoutMs, f, 20).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${daemon?.stdout ?? ''}\n${daemon?.stderr ?? ''}`);
  });

const config = (port: number, neighbors: string[]): string =>
  rrConfig({ asn: AS, routerId: RR, listen: RR, port, clusterId: '10.0.0.99', neighbors, dynamic: { prefix: '127.0.31.0/24', limit: 4 } });

function client(address: string, port: number): BgpSpeaker {
  const s = new BgpSpeaker({ asn: AS, routerId: address, listen: false });
  s.addPeer({ address: RR, port, asn: AS, families: ['l2vpn-evpn'], localAddress: address, connectRetryTime: 1, idleHoldTime: 1 });
  clients.push(s);
  return s;
}

const up = (s: BgpSpeaker): boolean => s.peerState(RR) === 'Established';
const macs = (s: BgpSpeaker): string[] => [...s.routes('l2vpn-evpn')].map((r: RibRoute) => (r.nlri as { mac?: string }).mac ?? '').sort();

describe('bgp-evpnd', () => {
  it('reflects a Type-2; SIGHUP adds a peer without touching the others; a dynamic range takes a new client; SIGTERM sends Cease and exits 0', async () => {
    const port = await freePort(RR);
    const apiPort = await freePort('127.0.0.1');
    const file = join(dir, 'rr.toml');
    writeFileSync(file, config(port, [A, B]));
    daemon = new ExampleProcess('src/daemon/cli.ts', ['-f', file, '--api-hosts', `127.0.0.1:${apiPort}`, '-l', 'debug']);
    const started = await daemon.waitFor('started', (e) => e.event === 'started');
    expect(started).toMatchObject({ as: AS, routerId: RR, listen: { address: RR, port }, peers: 2, ranges: 1 });
    // the gRPC API starts when src/api is part of the build
    const apiEvent = existsSync('src/api/index.ts') ? 'api listening' : 'api not available in this build';
    await daemon.waitFor(apiEvent, (e) => e.event === apiEvent);

    const a = client(A, port);
    const b = client(B, port);
    await Promise.all([a.start(), b.start()]);
    await until('A and B Established', () => up(a) && up(b));
    await daemon.waitFor('peer up logged twice', () => daemon!.events.filter((e) => e.event === 'peer up').length === 2);

    a.announce(macIpRoute({ rd: `${A}:100`, mac: '02:00:00:00:0a:01', ip: '192.0.2.10', vni: 100, nextHop: A, routeTargets: ['65000:100'] }));
    const reflected = await until('B has A\'s Type-2', () => [...b.routes('l2vpn-evpn')][0]);
    expect(reflected.nextHops).toEqual([A]);
    expect(reflected.attributes.find((x) => x.type === 'originator-id')).toMatchObject({ value: A });
    expect(reflected.attributes.find((x) => x.type === 'cluster-list')).toMatchObject({ values: ['10.0.0.99'] });

    // the same route (RFC 7432 route key) with another label replaces it at the reflector; its
    // withdrawal leaves nothing behind (a raw-bytes key would keep the first one and re-send it)
    a.announce(macIpRoute({ rd: `${A}:100`, mac: '02:00:00:00:0a:02', ip: '192.0.2.11', vni: 100, nextHop: A, routeTargets: ['65000:100'] }));
    await until('B has the second MAC', () => macs(b).includes('02:00:00:00:0a:02'));
    const relabelled = macIpRoute({ rd: `${A}:100`, mac: '02:00:00:00:0a:02', ip: '192.0.2.11', vni: 200, nextHop: A, routeTargets: ['65000:100'] });
    a.announce(relabelled);
    await until('B has label 200', () => [...b.routes('l2vpn-evpn')].some((r) => (r.nlri as { label1?: number }).label1 === 200));
    a.withdraw(relabelled);
    await until('B lost the second MAC', () => !macs(b).includes('02:00:00:00:0a:02'));
    await new Promise((r) => setTimeout(r, 200));
    expect(macs(b)).toEqual(['02:00:00:00:0a:01']);

    // SIGHUP with C added: C comes up, A and B keep their sessions (still one OPEN each)
    writeFileSync(file, config(port, [A, B, C]));
    daemon.child.kill('SIGHUP');
    const reloaded = await daemon.waitFor('reloaded', (e) => e.event === 'reloaded');
    expect(reloaded).toMatchObject({ added: [C], removed: [], updated: [], reset: [] });
    const c = client(C, port);
    await c.start();
    await until('C Established and has A\'s route', () => up(c) && macs(c).length === 1);
    for (const s of [a, b]) {
      const st = s.peerStatus(RR)!;
      expect(st.state).toBe('Established');
      expect(st.flaps).toBe(0);
      expect(st.messages.received.open).toBe(1);
      expect(st.messages.sent.open).toBe(1);
    }

    // a client from the dynamic range, named nowhere in the file
    const d = client(D, port);
    await d.start();
    await until('D Established and has A\'s route', () => up(d) && macs(d).length === 1);
    await daemon.waitFor('dynamic peer logged', (e) => e.event === 'dynamic peer' && e.peer === D && e.range === '127.0.31.0/24');
    d.announce(macIpRoute({ rd: `${D}:100`, mac: '02:00:00:00:0d:01', vni: 100, nextHop: D, routeTargets: ['65000:100'] }));
    await until('A has D\'s route', () => macs(a).includes('02:00:00:00:0d:01'));

    // a broken file: nothing applied, every session stays; then C deleted: Cease / de-configured
    writeFileSync(file, config(port, [A, B]).replace('peer-as', 'peer-ass'));
    daemon.child.kill('SIGHUP');
    const failed = await daemon.waitFor('reload failed', (e) => e.event === 'reload failed');
    expect(failed.error).toMatch(/rr\.toml:10: peer-groups\[0\]\.config\.peer-ass: unknown key peer-ass/);
    expect([a, b, c, d].every(up)).toBe(true);
    const cNotes: string[] = [];
    c.on('notificationReceived', (_p, m) => cNotes.push(`${m.code}/${m.subcode}`));
    writeFileSync(file, config(port, [A, B]));
    daemon.child.kill('SIGHUP');
    await daemon.waitFor('reloaded without C', (e) => e.event === 'reloaded' && (e.removed as string[])[0] === C);
    await until('C told', () => cNotes.length > 0);
    expect(cNotes[0]).toBe('6/3');
    await c.stop();
    expect([a, b, d].every(up)).toBe(true);

    // SIGTERM: every client gets a Cease, the daemon exits 0
    const ceases: string[] = [];
    for (const s of [a, b, d]) s.on('notificationReceived', (_p, m) => ceases.push(`${m.code}`));
    expect(await daemon.stop()).toBe(0);
    await until('three Ceases', () => ceases.length === 3);
    expect(ceases).toEqual(['6', '6', '6']);
    expect(daemon.events.some((e) => e.event === 'stopped')).toBe(true);
  }, 60_000);

  it('with [vtep.config] it is a VTEP too: its Type-3 reaches a client, the client\'s Type-3 makes its flood list', async () => {
    const port = await freePort(RR);
    const file = join(dir, 'vtep.toml');
    const vtep = `[vtep.config]\n  address = "${RR}"\n  vnis = [100]\n  route-target-style = "as-vni"\n  udp-port = ${port}`;
    writeFileSync(file, rrConfig({ asn: AS, routerId: RR, listen: RR, port, clusterId: '10.0.0.99', neighbors: [A], extra: vtep }));
    daemon = new ExampleProcess('src/daemon/cli.ts', ['-f', file, '--api-hosts', 'none']);
    await daemon.waitFor('vtep', (e) => e.event === 'vtep' && e.address === RR);
    const a = client(A, port);
    await a.start();
    const t3 = await until('the daemon\'s Type-3 at A', () => [...a.routes('l2vpn-evpn')].find((r) => (r.nlri as { routeType: number }).routeType === 3));
    expect(t3.nlri).toMatchObject({ originator: RR });
    expect(t3.attributes).toContainEqual(expect.objectContaining({ type: 'pmsi-tunnel', tunnelType: 6, label: 100 }));
    a.announce(inclusiveMulticastRoute({ rd: `${A}:100`, originator: A, vni: 100, nextHop: A, routeTargets: ['65000:100'] }));
    const flood = await daemon.waitFor('flood list', (e) => e.event === 'flood list' && (e.vteps as string[]).includes(A));
    expect(flood).toMatchObject({ vni: 100, vteps: [A] });
    expect(await daemon.stop()).toBe(0);
  });

  it('a config error exits 1 and names file, line and key', async () => {
    const file = join(dir, 'bad.toml');
    writeFileSync(file, `[global.config]\n  as = 65000\n  router-id = "${RR}"\n  port = 1\n  colour = "blue"\n`);
    daemon = new ExampleProcess('src/daemon/cli.ts', ['-f', file]);
    expect(await daemon.exit()).toBe(1);
    expect(daemon.stderr).toBe(`bgp-evpnd: ${file}:5: global.config.colour: unknown key colour (accepted here: as, router-id, port, local-address-list)\n`);
    expect(daemon.stdout).toBe('');
  });
});

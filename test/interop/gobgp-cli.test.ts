/**
 * The Debian `gobgp` CLI (GoBGP 3.10), unmodified, against GobgpApiServer and against a real
 * gobgpd holding the same routes. Everything runs on loopback: gobgpd (AS 65001, 127.0.0.2) and
 * our speaker (AS 65000, 127.0.0.3) peer over eBGP; the same routes are added through the CLI
 * to both; the CLI's `-j` answers are compared field by field (ages, router ids and neighbour
 * addresses normalised, attribute lists as sets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/index.js';
import { GobgpApiServer } from '../../src/api/index.js';
import { freePort, missingReal, sh, waitFor } from '../helpers/netns.js';

const why = missingReal(['gobgp', 'gobgpd']);

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** The CLI, asynchronously (our server lives in this process: a blocking exec would deadlock it). */
function gobgp(port: number, args: readonly string[], timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn('gobgp', ['-u', '127.0.0.1', '-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

async function json(port: number, args: readonly string[]): Promise<any> {
  const r = await gobgp(port, [...args, '-j']);
  if (r.code !== 0) throw new Error(`gobgp ${args.join(' ')}: ${r.err}${r.out}`);
  return JSON.parse(r.out);
}

/** One path of `-j` output without what legitimately differs between two daemons. */
function normPath(p: any): any {
  return {
    nlri: p.nlri,
    best: p.best,
    stale: p.stale,
    withdrawal: p.withdrawal ?? false,
    attrs: (p.attrs ?? []).map((a: unknown) => JSON.stringify(a)).sort(),
  };
}

/** `global rib -j`: destination -> its locally originated path (no neighbor-ip), normalised. */
function localPaths(rib: Record<string, any[]>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, paths] of Object.entries(rib)) {
    const mine = paths.filter((p) => p['neighbor-ip'] === undefined);
    if (mine.length > 0) out[k] = normPath(mine[0]);
  }
  return out;
}

/** `adj-in`/`adj-out -j`: destination -> normalised paths. */
function allPaths(rib: Record<string, any[]>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, paths] of Object.entries(rib)) out[k] = paths.map((p) => ({ ...normPath(p), best: undefined }));
  return out;
}

const evpnRoutes = [
  ['macadv', 'aa:bb:cc:00:00:01', '10.1.1.1', 'etag', '0', 'label', '100', 'rd', '65000:100', 'rt', '65000:100', 'encap', 'vxlan', 'nexthop', '192.0.2.1'],
  ['macadv', 'aa:bb:cc:00:00:03', '2001:db8::3', 'etag', '0', 'label', '100', 'rd', '65000:100', 'rt', '65000:100', 'encap', 'vxlan'],
  ['macadv', 'aa:bb:cc:00:00:04', '10.1.1.4', 'esi', 'AS', '65000', '100', 'etag', '0', 'label', '100', 'rd', '10.0.0.1:100', 'rt', '65000:100', 'default-gateway', 'router-mac', '02:00:00:00:00:01'],
  ['multicast', '192.0.2.1', 'etag', '0', 'rd', '65000:100', 'rt', '65000:100', 'encap', 'vxlan', 'pmsi', 'ingress-repl', '100', '192.0.2.1', 'nexthop', '192.0.2.1'],
  ['prefix', '10.9.0.0/24', 'gw', '0.0.0.0', 'etag', '0', 'label', '300', 'rd', '65000:300', 'rt', '65000:300', 'encap', 'vxlan', 'router-mac', '02:00:00:00:00:01'],
  ['esi', '10.0.0.9', 'esi', 'LACP', 'aa:bb:cc:dd:ee:ff', '1', 'rd', '65000:9', 'rt', '65000:9'],
];

describe.skipIf(why !== undefined)('gobgp CLI: GobgpApiServer next to gobgpd', () => {
  let dir: string;
  let gobgpd: ChildProcess | undefined;
  let gobgpdLog = '';
  let speaker: BgpSpeaker;
  let api: GobgpApiServer;
  let ours: number;
  let binaryApi: GobgpApiServer;
  let theirs: number;
  const errors: string[] = [];

  beforeAll(async () => {
    const [bgpPort, apiPort, ourApi] = [await freePort(), await freePort(), await freePort()];
    theirs = apiPort;
    dir = mkdtempSync(join(tmpdir(), 'gobgp-cli-'));
    const cfg = join(dir, 'gobgpd.toml');
    writeFileSync(cfg, [
      '[global.config]', '  as = 65001', '  router-id = "10.0.0.2"', `  port = ${bgpPort}`, '  local-address-list = ["127.0.0.2"]',
      '[[neighbors]]', '  [neighbors.config]', '    neighbor-address = "127.0.0.3"', '    peer-as = 65000',
      '  [neighbors.transport.config]', '    passive-mode = true', '    local-address = "127.0.0.2"',
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "l2vpn-evpn"', '',
    ].join('\n'));
    gobgpd = spawn('gobgpd', ['-f', cfg, '--api-hosts', `127.0.0.1:${apiPort}`, '--pprof-disable', '-p'], { stdio: ['ignore', 'pipe', 'pipe'] });
    gobgpd.stdout?.on('data', (d: Buffer) => (gobgpdLog = (gobgpdLog + d.toString()).slice(-20_000)));
    gobgpd.stderr?.on('data', (d: Buffer) => (gobgpdLog = (gobgpdLog + d.toString()).slice(-20_000)));
    speaker = new BgpSpeaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
    speaker.addPeer({ address: '127.0.0.2', asn: 65001, families: ['l2vpn-evpn'], port: bgpPort, localAddress: '127.0.0.3', connectRetryTime: 1 });
    speaker.on('updateError', (_p, e) => errors.push(e.message));
    await speaker.start();
    api = new GobgpApiServer(speaker, { listen: `127.0.0.1:${ourApi}` });
    await api.start();
    ours = api.port;
    binaryApi = new GobgpApiServer(speaker, { listen: `127.0.0.1:${await freePort()}`, pathForms: 'binary' });
    await binaryApi.start();
    await waitFor('gobgpd API', 10_000, async () => (await gobgp(theirs, ['global'])).code === 0);
    await waitFor('session with gobgpd', 20_000, () => speaker.peerState('127.0.0.2') === 'Established');
  });

  afterAll(async () => {
    await api?.stop();
    await binaryApi?.stop();
    await speaker?.stop();
    if (gobgpd !== undefined && gobgpd.exitCode === null) {
      const gone = new Promise((r) => gobgpd!.once('exit', r));
      gobgpd.kill('SIGTERM');
      const t = setTimeout(() => gobgpd!.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('gobgp neighbor: our peer is listed Established, as gobgpd lists ours', async () => {
    const a = await gobgp(ours, ['neighbor']);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/127\.0\.0\.2\s+65001\s+\S+\s+Establ/);
    const b = await gobgp(theirs, ['neighbor']);
    expect(b.out).toMatch(/127\.0\.0\.3\s+65000\s+\S+\s+Establ/);
    const [p] = await json(ours, ['neighbor']);
    expect(p.state.neighbor_address ?? p.state.neighborAddress).toBe('127.0.0.2');
    expect((await gobgp(ours, ['neighbor', '127.0.0.2'])).out).toMatch(/BGP state = ESTABLISHED/);
  });

  it('routes added through the CLI: global rib -j and summary match gobgpd field by field', async () => {
    for (const r of evpnRoutes) {
      // gobgpd first: were our path already there, gobgpd would give its own a MAC Mobility sequence
      for (const port of [theirs, ours]) {
        const res = await gobgp(port, ['global', 'rib', '-a', 'evpn', 'add', ...r]);
        expect(res.code, `${port === ours ? 'ours' : 'gobgpd'}: add ${r.join(' ')}: ${res.err}${res.out}`).toBe(0);
      }
    }
    for (const port of [ours, theirs]) {
      expect((await gobgp(port, ['global', 'rib', '-a', 'ipv4', 'add', '10.20.0.0/24', 'nexthop', '192.0.2.1', 'med', '10'])).code).toBe(0);
      expect((await gobgp(port, ['global', 'rib', '-a', 'ipv6', 'add', '2001:db8:20::/48', 'nexthop', '2001:db8::1'])).code).toBe(0);
    }
    const a = localPaths(await json(ours, ['global', 'rib', '-a', 'evpn']));
    const b = localPaths(await json(theirs, ['global', 'rib', '-a', 'evpn']));
    expect(Object.keys(a).length).toBe(evpnRoutes.length);
    expect(a).toEqual(b);
    // a path added without a next hop shows 0.0.0.0, as in gobgpd
    const noNh = Object.entries(a).find(([k]) => k.includes('aa:bb:cc:00:00:03'))![1];
    expect(noNh.attrs.some((x: string) => x.includes('"nexthop":"0.0.0.0"'))).toBe(true);
    for (const fam of ['ipv4', 'ipv6']) {
      expect(localPaths(await json(ours, ['global', 'rib', '-a', fam]))).toEqual(localPaths(await json(theirs, ['global', 'rib', '-a', fam])));
    }
    // every path of a destination, as gobgpd lists them: our own (best) and the one gobgpd sent
    await waitFor('paths from gobgpd', 15_000, () => speaker.peerInfo('127.0.0.2')!.routesReceived('l2vpn-evpn') >= evpnRoutes.length);
    for (const port of [ours, theirs]) {
      const rib = await json(port, ['global', 'rib', '-a', 'evpn']);
      const paths = rib['[type:multicast][rd:65000:100][etag:0][ip:192.0.2.1]'];
      expect(paths.map((p: any) => [p.best, p['neighbor-ip'] === undefined])).toEqual([[true, true], [false, false]]);
    }
    // answers that carry our wire bytes (nlri_binary, pattrs_binary) print the same
    expect(localPaths(await json(binaryApi.port, ['global', 'rib', '-a', 'evpn']))).toEqual(a);
    const sa = await gobgp(ours, ['global', 'rib', '-a', 'evpn', 'summary']);
    expect(sa.out).toMatch(/Destination: 6/);
    const text = await gobgp(ours, ['global', 'rib', '-a', 'evpn']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('[type:macadv][rd:65000:100][etag:0][mac:aa:bb:cc:00:00:01][ip:10.1.1.1]');
  });

  it('neighbor adj-in -a evpn on our side shows what gobgpd says it sent (adj-out)', async () => {
    await waitFor(`routes from gobgpd (errors: ${errors.join('; ')})`, 15_000, () => speaker.peerInfo('127.0.0.2')!.routesReceived('l2vpn-evpn') >= evpnRoutes.length);
    const a = allPaths(await json(ours, ['neighbor', '127.0.0.2', 'adj-in', '-a', 'evpn']));
    const b = allPaths(await json(theirs, ['neighbor', '127.0.0.3', 'adj-out', '-a', 'evpn']));
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(a).toEqual(b);
    // and gobgpd's adj-in from us holds the routes we originated
    await waitFor('routes at gobgpd', 15_000, async () => Object.keys(await json(theirs, ['neighbor', '127.0.0.3', 'adj-in', '-a', 'evpn'])).length >= evpnRoutes.length);
  });

  it('monitor global rib --current streams the table, then an add and a withdraw', async () => {
    const mon = spawn('gobgp', ['-u', '127.0.0.1', '-p', String(ours), 'monitor', 'global', 'rib', '--current', '-a', 'evpn', '-j'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    mon.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('current table', 10_000, () => out.split('\n').filter((l) => l.includes('aa:bb:cc:00:00:01')).length >= 1);
      const route = ['macadv', 'aa:bb:cc:00:00:99', '10.1.1.99', 'etag', '0', 'label', '100', 'rd', '65000:100', 'rt', '65000:100', 'encap', 'vxlan'];
      expect((await gobgp(ours, ['global', 'rib', '-a', 'evpn', 'add', ...route])).code).toBe(0);
      await waitFor('add event', 10_000, () => out.includes('aa:bb:cc:00:00:99'));
      expect((await gobgp(ours, ['global', 'rib', '-a', 'evpn', 'del', ...route])).code).toBe(0);
      await waitFor('withdraw event', 10_000, () => out.split('\n').some((l) => l.includes('aa:bb:cc:00:00:99') && l.includes('"withdrawal":true')));
    } finally {
      mon.kill('SIGTERM');
    }
  });

  it('del macadv removes the route on both daemons', async () => {
    const r = evpnRoutes[0]!;
    for (const port of [ours, theirs]) expect((await gobgp(port, ['global', 'rib', '-a', 'evpn', 'del', ...r])).code).toBe(0);
    const a = localPaths(await json(ours, ['global', 'rib', '-a', 'evpn']));
    const b = localPaths(await json(theirs, ['global', 'rib', '-a', 'evpn']));
    expect(Object.keys(a).some((k) => k.includes('aa:bb:cc:00:00:01'))).toBe(false);
    expect(a).toEqual(b);
  });

  it('bad requests exit as they do against gobgpd and leave our server running', async () => {
    const bad = [
      ['neighbor', '10.9.9.9'],
      ['neighbor', '10.9.9.9', 'adj-in', '-a', 'evpn'],
      ['neighbor', 'del', '10.9.9.9'],
      ['neighbor', '10.9.9.9', 'reset'],
      ['global', 'rib', '-a', 'evpn', 'add', 'multicast', '10.0.0.1', 'etag', '0', 'rd', '65000:100', 'pmsi', 'ingress-repl', '100', 'not-an-ip'],
    ];
    for (const args of bad) {
      const a = await gobgp(ours, args);
      const b = await gobgp(theirs, args);
      expect(a.code === 0, `${args.join(' ')}: ours ${a.code} ${a.err}${a.out} / gobgpd ${b.code} ${b.err}${b.out}`).toBe(b.code === 0);
    }
    // a label beyond 24 bits: gobgpd takes it (exit 0); we refuse it, naming the field
    const label = await gobgp(ours, ['global', 'rib', '-a', 'evpn', 'add', 'macadv', 'aa:bb:cc:00:00:05', '10.1.1.5', 'etag', '0', 'label', '16777216', 'rd', '65000:100']);
    expect(label.code).not.toBe(0);
    expect(label.err + label.out).toMatch(/InvalidArgument.*path\.nlri\.labels\[0\]/);
    expect((await gobgp(ours, ['global'])).code).toBe(0);
    expect(Object.keys(localPaths(await json(ours, ['global', 'rib', '-a', 'evpn'])))).toHaveLength(evpnRoutes.length - 1);
  });

  it('neighbor add / del / disable / enable / softresetin through the CLI', async () => {
    for (const port of [ours, theirs]) {
      expect((await gobgp(port, ['neighbor', 'add', '127.0.0.44', 'as', '65044'])).code).toBe(0);
      expect((await gobgp(port, ['neighbor', 'add', '127.0.0.44', 'as', '65044'])).code).not.toBe(0);
    }
    expect(speaker.peerInfo('127.0.0.44')?.config.asn).toBe(65044);
    expect((await gobgp(ours, ['neighbor'])).out).toMatch(/127\.0\.0\.44\s+65044/);
    for (const port of [ours, theirs]) expect((await gobgp(port, ['neighbor', 'del', '127.0.0.44'])).code).toBe(0);
    expect(speaker.peerInfo('127.0.0.44')).toBeUndefined();

    expect((await gobgp(ours, ['neighbor', '127.0.0.2', 'softresetin'])).code).toBe(0);
    // WatchEvent peer events, as `gobgp monitor neighbor` prints them
    const mon = spawn('gobgp', ['-u', '127.0.0.1', '-p', String(ours), 'monitor', 'neighbor', '127.0.0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let events = '';
    mon.stdout.on('data', (d: Buffer) => (events += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect((await gobgp(ours, ['neighbor', '127.0.0.2', 'disable'])).code).toBe(0);
      await waitFor('admin down', 10_000, async () => /Idle\(Admin\)/.test((await gobgp(ours, ['neighbor'])).out));
      expect(speaker.peerState('127.0.0.2')).toBe('Idle');
      expect((await gobgp(ours, ['neighbor', '127.0.0.2', 'enable'])).code).toBe(0);
      await waitFor('re-established', 20_000, () => speaker.peerState('127.0.0.2') === 'Established');
      await waitFor('monitor neighbor events', 5_000, () => /127\.0\.0\.2 fsm: IDLE admin: DOWN/.test(events) && /127\.0\.0\.2 fsm: ESTABLISHED admin: UP/.test(events));
    } finally {
      mon.kill('SIGTERM');
    }
    expect((await gobgp(ours, ['neighbor'])).out).toMatch(/127\.0\.0\.2\s+65001\s+\S+\s+Establ/);
  });
});

describe.skipIf(missingReal(['gobgp', 'openssl']) !== undefined)('gobgp CLI over TLS', () => {
  it('--tls --tls-ca-file reaches a GobgpApiServer with TLS credentials; plaintext does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gobgp-tls-'));
    const speaker = new BgpSpeaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
    let api: GobgpApiServer | undefined;
    try {
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
      const credentials = ServerCredentials.createSsl(null, [{ private_key: readFileSync(key), cert_chain: readFileSync(cert) }], false);
      api = new GobgpApiServer(speaker, { listen: '127.0.0.1:0', credentials });
      await api.start();
      const ok = await gobgp(api.port, ['--tls', '--tls-ca-file', cert, 'global']);
      expect(ok.code, ok.err).toBe(0);
      expect(ok.out).toMatch(/AS:\s+65000/);
      const plain = await gobgp(api.port, ['global'], 5_000);
      expect(plain.code).not.toBe(0);
    } finally {
      await api?.stop();
      await speaker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `npm run demo -- --json` as a child process: the fabric on loopback TCP comes up, routes flow,
 * ARP is suppressed, pings go through VXLAN, the MAC moves with sequence 1, and the process exits
 * 0 on its own (it never calls process.exit on success, so an exit proves every socket and timer
 * was closed).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Ev {
  event: string;
  [k: string]: unknown;
}

function run(args: string[], timeoutMs = 45_000): Promise<{ code: number | null; stdout: string; stderr: string; afterSummaryMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], { cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let summaryAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (summaryAt === 0 && stdout.includes('"event":"summary"')) summaryAt = performance.now();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, afterSummaryMs: summaryAt === 0 ? -1 : performance.now() - summaryAt });
    });
  });
}

// a VXLAN port of our own, so a concurrent run (or anything on 4789) does not collide
const port = String(20_000 + (process.pid % 12_000)); // below the ephemeral range (32768+)

let jsonSummary: Ev | undefined;

describe('npm run demo -- --json', () => {
  it('shows sessions, Type-3/Type-2 routes, ARP suppression, VXLAN pings and a MAC move with seq 1; exits 0', async () => {
    const r = await run(['--json', '--vxlan-port', port]);
    expect(r.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Ev);
    const of = (name: string) => events.filter((e) => e.event === name);

    // every line is an event with a timestamp; the last one is the summary
    expect(events.every((e) => typeof e.event === 'string' && typeof e.t === 'number')).toBe(true);
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', ok: true, sessions: 2, sessionEnds: 4, arpSuppressed: 1, pingsSent: 4, pingsReceived: 4 });
    jsonSummary = summary;
    expect(r.afterSummaryMs).toBeLessThan(5000); // exits by itself, promptly

    // sessions: both ends of rr<->vtep1 and rr<->vtep2
    const sessions = of('session').map((e) => `${e.at as string}<->${e.peer as string}`).sort();
    expect(sessions).toEqual(['rr<->127.0.0.11', 'rr<->127.0.0.12', 'vtep1<->127.0.0.10', 'vtep2<->127.0.0.10']);

    // Type-3 reflected to the other VTEP, with the VNI and the VTEP as next hop
    const routes = of('route');
    expect(routes).toContainEqual(expect.objectContaining({ at: 'vtep2', action: 'added', type: 3, originator: '127.0.0.11', nextHop: '127.0.0.11', vni: 100, from: '127.0.0.10' }));
    expect(routes).toContainEqual(expect.objectContaining({ at: 'vtep1', action: 'added', type: 3, originator: '127.0.0.12', nextHop: '127.0.0.12', vni: 100, from: '127.0.0.10' }));
    // Type-2 MAC+IP both ways
    expect(routes).toContainEqual(expect.objectContaining({ at: 'vtep2', action: 'added', type: 2, mac: '02:00:00:00:00:01', ip: '192.0.2.1', seq: 0 }));
    expect(routes).toContainEqual(expect.objectContaining({ at: 'vtep1', action: 'added', type: 2, mac: '02:00:00:00:00:02', ip: '192.0.2.2', seq: 0 }));
    expect(of('floodList')).toContainEqual(expect.objectContaining({ at: 'vtep1', vteps: ['127.0.0.12'] }));

    // tables filled: vtep2's table has h1 remote at vtep1
    const tables = of('table').filter((e) => e.at === 'vtep2');
    expect(tables.length).toBe(2);
    expect(tables[0]!.macs).toContainEqual(expect.objectContaining({ mac: '02:00:00:00:00:01', location: '127.0.0.11', seq: 0 }));

    // ARP answered at vtep2 without flooding or encapsulation
    expect(of('arpSuppressed')).toEqual([expect.objectContaining({ at: 'vtep2', ip: '192.0.2.1', answer: '02:00:00:00:00:01', suppressed: 1, flooded: 0, encapsulated: 0, decapAtVtep1: 0 })]);

    // three pings through VXLAN, then one after the move
    const pings = of('ping');
    expect(pings.filter((p) => p.vxlan === true)).toHaveLength(3);
    expect(pings.every((p) => typeof p.rttMs === 'number' && (p.rttMs as number) >= 0)).toBe(true);
    expect(of('pingSummary')[0]).toMatchObject({ transmitted: 3, received: 3 });
    expect((of('pingSummary')[0]!.vtep1 as { encapsulated: number }).encapsulated).toBeGreaterThanOrEqual(3);

    // the move: vtep1 learns h2 with sequence 1, vtep2 sees it leave, routes carry seq 1
    expect(of('macMoved')).toEqual(expect.arrayContaining([
      expect.objectContaining({ at: 'vtep1', mac: '02:00:00:00:00:02', from: '127.0.0.12', to: 'local', seq: 1 }),
      expect.objectContaining({ at: 'vtep2', mac: '02:00:00:00:00:02', from: 'local', to: '127.0.0.11', seq: 1 }),
    ]));
    expect(routes).toContainEqual(expect.objectContaining({ at: 'vtep2', action: 'added', type: 2, mac: '02:00:00:00:00:02', seq: 1, nextHop: '127.0.0.11' }));
    expect(routes).toContainEqual(expect.objectContaining({ at: 'vtep1', action: 'withdrawn', type: 2, mac: '02:00:00:00:00:02', rd: '127.0.0.12:100' }));
    expect(tables[1]!.macs).toContainEqual(expect.objectContaining({ mac: '02:00:00:00:00:02', location: '127.0.0.11', seq: 1 }));
  });

  it('text mode: readable steps and tables, no colour when NO_COLOR is set, exit 0', async () => {
    const r = await run(['--vxlan-port', String(Number(port) + 1)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    for (let i = 1; i <= 6; i++) expect(r.stdout).toContain(`Step ${i}`);
    expect(r.stdout).toMatch(/arp suppressed\s+vtep2 answered h2: 192\.0\.2\.1 is at 02:00:00:00:00:01/);
    expect(r.stdout).toMatch(/mac moved\s+vtep2: 02:00:00:00:00:02 local -> 127\.0\.0\.11, sequence 1/);
    expect(r.stdout).toMatch(/MAC\s+where\s+seq\s+IP/);
    expect(r.stdout).toContain('done: 2 sessions up');
    // the text's closing line says what the JSON summary says
    const done = /done: (\d+) sessions up, (\d+) routes originated, (\d+) route events received, (\d+) ARP suppressed, (\d+)\/(\d+) pings, (\d+) move events/.exec(r.stdout);
    expect(done, r.stdout).not.toBeNull();
    const s = jsonSummary!;
    expect(done!.slice(1).map(Number)).toEqual([s.sessions, s.routesOriginated, s.routesReceived, s.arpSuppressed, s.pingsReceived, s.pingsSent, s.macMoves]);
  });

  it('fails with exit 1 and a clear message when a step cannot happen (VXLAN port taken)', async () => {
    const dgram = await import('node:dgram');
    const s = dgram.createSocket('udp4');
    const p = Number(port) + 2;
    await new Promise<void>((res) => s.bind(p, '127.0.0.11', () => res()));
    try {
      const r = await run(['--json', '--vxlan-port', String(p)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot bind VXLAN UDP 127.0.0.11:${p}`);
      const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Ev;
      expect(last).toMatchObject({ event: 'error', ok: false });
    } finally {
      await new Promise<void>((res) => s.close(() => res()));
    }
  });
});

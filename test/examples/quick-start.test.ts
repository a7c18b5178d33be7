/**
 * The README's quick start: its code block is examples/quick-start.ts (import path aside), and
 * the README's three commands (a route reflector, two VTEPs on loopback) run as written: both
 * VTEPs' sessions come up, each sees the other in its flood list, every ping crosses VXLAN and
 * comes back, and both VTEPs exit 0 by themselves; Ctrl-C on a VTEP sends Cease to the route
 * reflector. Bad input: `--help` prints the usage, a peer that is not an address is a typed error.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ExampleProcess } from './child.js';

const readme = readFileSync('README.md', 'utf8');
const block = (marker: string, lang: string) => new RegExp(`<!-- ${marker} -->\\s*\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];

/** The README's commands, as [file, args]: `npx tsx FILE ARGS...` lines only. */
function readmeCommands(): [string, string[]][] {
  const text = block('quick-start-run', 'sh');
  expect(text, 'README.md has a quick-start-run block').toBeDefined();
  return text!.trim().split('\n').map((line) => {
    const [npx, tsx, file, ...args] = line.trim().split(/\s+/);
    expect([npx, tsx]).toEqual(['npx', 'tsx']);
    return [file!, args];
  });
}

const running: ExampleProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0).reverse()) await p.stop();
});
function start(file: string, args: readonly string[]): ExampleProcess {
  const p = new ExampleProcess(file, args);
  running.push(p);
  return p;
}
async function until(p: ExampleProcess, re: RegExp, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(p.stdout) && Date.now() < end && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  expect(p.stdout, p.stderr).toMatch(re);
}

describe('README quick start', () => {
  it('is examples/quick-start.ts verbatim (import path aside)', () => {
    const code = block('quick-start', 'ts');
    expect(code, 'README.md has a quick-start block').toBeDefined();
    const file = readFileSync('examples/quick-start.ts', 'utf8').replace("from '../src/index.js'", "from 'bgp-evpn'");
    expect(code).toBe(file);
    expect(file.trimEnd().split('\n').length).toBeLessThanOrEqual(60);
  });

  it("the README's commands: route reflector + two VTEPs, pings through VXLAN both ways, both VTEPs exit 0", async () => {
    const [[rrFile, rrArgs], [f1, a1], [f2, a2]] = readmeCommands() as [[string, string[]], [string, string[]], [string, string[]]];
    expect([rrFile, f1, f2]).toEqual(['examples/route-reflector.ts', 'examples/quick-start.ts', 'examples/quick-start.ts']);
    const rr = start(rrFile, rrArgs);
    await until(rr, /listening on 127\.0\.0\.60:1790/);
    const v1 = start(f1, a1);
    const v2 = start(f2, a2);
    const [c1, c2] = await Promise.all([v1.exit(40_000), v2.exit(40_000)]);
    for (const [v, me, other, mac] of [[v1, '127.0.0.61', '127.0.0.62', '02:00:00:00:00:01'], [v2, '127.0.0.62', '127.0.0.61', '02:00:00:00:00:02']] as const) {
      expect(v.stdout, v.stderr).toContain('session up with 127.0.0.60');
      expect(v.stdout).toContain(`flood list of VNI 100 [ '${other}' ]`);
      expect(v.stdout).toContain(`local MAC ${mac} on h1`);
      expect(v.stdout).toMatch(/ping \{\s*transmitted: 3,\s*received: 3/);
      expect(v.stdout).toContain(me === '127.0.0.61' ? 'ARP entry 10.1.0.2 02:00:00:00:00:02' : 'ARP entry 10.1.0.1 02:00:00:00:00:01');
    }
    expect([c1, c2]).toEqual([0, 0]);
    // the route reflector saw both hosts' Type-2 routes, and both VTEPs leave with a Cease
    expect(rr.stdout).toMatch(/added\s+Type-2 02:00:00:00:00:01 10\.1\.0\.1/);
    expect(rr.stdout).toMatch(/added\s+Type-2 02:00:00:00:00:02 10\.1\.0\.2/);
    await until(rr, /NOTIFICATION from 127\.0\.0\.61: 6\/2 \(Cease\)/);
    await until(rr, /NOTIFICATION from 127\.0\.0\.62: 6\/2 \(Cease\)/);
    expect(await rr.stop()).toBe(0);
  }, 60_000);

  it('Ctrl-C (SIGINT) on a waiting VTEP: Cease to the route reflector, exit 130', async () => {
    const rr = start('examples/route-reflector.ts', ['--listen', '127.0.0.63', '--port', '0', '--client', '127.0.0.64']);
    await until(rr, /listening on 127\.0\.0\.63:(\d+)/);
    const port = /listening on 127\.0\.0\.63:(\d+)/.exec(rr.stdout)![1]!;
    const v = start('examples/quick-start.ts', ['--rr', '127.0.0.63', '--port', port, '--me', '127.0.0.64', '--wait', '60']);
    await until(v, /session up with 127\.0\.0\.63/);
    v.child.kill('SIGINT');
    expect(await v.exit()).toBe(130);
    await until(rr, /NOTIFICATION from 127\.0\.0\.64: 6\/2 \(Cease\)/);
  }, 40_000);

  it('--help prints the usage and exits 0; a peer that is not an IP address is a PeerConfigError', async () => {
    const h = start('examples/quick-start.ts', ['--help']);
    expect(await h.exit()).toBe(0);
    expect(h.stdout).toMatch(/^usage: quick-start --rr/);
    const bad = start('examples/quick-start.ts', ['--rr', 'not-an-address', '--me', '127.0.0.65']);
    expect(await bad.exit()).not.toBe(0);
    expect(bad.stderr).toContain('PeerConfigError');
    expect(bad.stderr).toContain('address: expected an IPv4 or IPv6 address (got "not-an-address")');
    const none = start('examples/quick-start.ts', []);
    expect(await none.exit()).toBe(1);
    expect(none.stderr).toContain('usage: quick-start');
  }, 30_000);
});

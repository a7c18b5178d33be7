/**
 * The package as an app outside the repository gets it: `npm pack` (which runs `prepare`, so a
 * clean clone or a git URL install builds `dist` itself), then `npm install <tarball>` into a
 * fresh directory, then an ESM app, a CJS app and `tsc --noEmit` under `node16` and `bundler`
 * resolution against what was installed, and are-the-types-wrong on the tarball (profile
 * `node16`: Node 16+ resolution from ESM and CJS, and bundlers; the `node10` resolution of
 * TypeScript's old `moduleResolution: node` cannot see `exports` subpaths and is not supported,
 * as the package needs Node 20 anyway).
 *
 * Needs the npm registry or the npm cache for `bl`, `eventemitter3`, `ip-address`, `smol-toml` and
 * `@types/node` (`--prefer-offline`: after `npm ci` they are all in the cache).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve('.');
const bin = (name: string) => join(repo, 'node_modules', '.bin', name);
const run = (cmd: string, args: readonly string[], cwd: string, timeoutMs = 120_000): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; sideEffects: string[]; devDependencies: Record<string, string> };

// the same few lines in every app: a Type-2 route through the codec's family registry (EVPN is
// registered when the package loads), and the subpath sharing the root's registry
const body = (load: string) => `${load}
const r = root.macIpRoute({ rd: '192.0.2.1:100', mac: '02:00:00:00:00:01', ip: '10.1.0.1', vni: 100, nextHop: '192.0.2.1', routeTargets: ['65000:100'] });
const m = root.decodeMessage(root.encodeMessage({ type: 'update', withdrawn: [], attributes: r.attributes, nlri: [] }));
const reach = m.type === 'update' ? m.attributes.find((a) => a.type === 'mp-reach') : undefined;
console.log(JSON.stringify({ nlri: reach && reach.nlri, sameRegistry: root.evpnNlri === evpn.evpnNlri, speaker: typeof root.BgpSpeaker }));
`;
const esmApp = body("import * as root from 'bgp-evpn';\nimport * as evpn from 'bgp-evpn/evpn';");
const cjsApp = body("const root = require('bgp-evpn');\nconst evpn = require('bgp-evpn/evpn');");

// typed: a wrong use must be an error (so the types are real, not `any`)
const typed = (load: string) => `${load}
const s: BgpSpeaker = new BgpSpeaker({ asn: 65000, routerId: '192.0.2.1', listen: false });
const route: MacIpRoute = macIpRoute({ rd: '192.0.2.1:100', mac: '02:00:00:00:00:01', vni: 100, nextHop: '192.0.2.1', routeTargets: [] }).nlri;
// @ts-expect-error asn is a number
new BgpSpeaker({ asn: '65000', routerId: '192.0.2.1', listen: false });
// @ts-expect-error a MAC/IP route has no 'prefix'
route.prefix;
export const out = [s, route, arbMac()];
`;
const tsEsm = typed("import { BgpSpeaker, macIpRoute } from 'bgp-evpn';\nimport type { MacIpRoute } from 'bgp-evpn/evpn';\nimport { arbMac } from 'bgp-evpn/testing';");
const tsCjs = tsEsm; // the same source, compiled as CommonJS (.cts): resolves the `require` conditions

// node16 also checks every .d.ts / .d.cts we ship (skipLibCheck off); bundler resolves the same
// .d.ts files as the node16 ESM check, so it checks only the app against them (quicker)
const tsconfig = (module: string, resolution: string, files: string[], skipLibCheck: boolean) =>
  JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2022'], module, moduleResolution: resolution, strict: true, noEmit: true, types: ['node'], skipLibCheck }, files });

describe('npm pack, installed into a fresh directory', () => {
  let dir: string;
  let tarball: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgp-evpn-pack-'));
    // what a clean clone has: no dist. `npm pack` must build it (prepare)
    rmSync('dist', { recursive: true, force: true });
    const name = run('npm', ['pack', '--silent', '--pack-destination', dir], repo, 180_000).trim().split('\n').pop()!;
    tarball = join(dir, name);
    const app = join(dir, 'app');
    run('mkdir', ['-p', app], dir);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball, `@types/node@${pkg.devDependencies['@types/node']}`, `fast-check@${pkg.devDependencies['fast-check']}`], app, 180_000);
  }, 360_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds dist (built by prepare), LICENSE and README, and no sourcemaps', () => {
    const files = run('tar', ['-tzf', tarball], dir).split('\n').filter(Boolean);
    for (const f of ['package/dist/index.js', 'package/dist/index.cjs', 'package/dist/index.d.ts', 'package/dist/index.d.cts', 'package/dist/evpn/index.js', 'package/LICENSE', 'package/README.md', 'package/package.json']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    // the GoBGP .proto files that bgp-evpn/api loads, with their licence
    for (const f of ['package/proto/gobgp/gobgp.proto', 'package/proto/gobgp/LICENSE']) expect(files).toContain(f);
    expect(files.filter((f) => !f.startsWith('package/dist/') && !f.startsWith('package/proto/gobgp/') && !['package/LICENSE', 'package/README.md', 'package/package.json'].includes(f))).toEqual([]);
  });

  it('every built file that registers a codec at load is covered by "sideEffects"', () => {
    const installed = join(dir, 'app', 'node_modules', 'bgp-evpn');
    const globToRe = (g: string) => new RegExp(`^${g.replace(/^\.\//, '').replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
    const covered = (f: string) => pkg.sideEffects.some((g) => globToRe(g).test(f));
    const registering: string[] = [];
    const walk = (sub: string): void => {
      for (const e of readdirSync(join(installed, sub), { withFileTypes: true })) {
        const rel = sub === '' ? e.name : `${sub}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (/\.c?js$/.test(e.name) && /\b(registerFamily|registerExtCommunity)\(|\.register\(\)/.test(readFileSync(join(installed, rel), 'utf8'))) registering.push(rel);
      }
    };
    walk('dist');
    expect(registering.length).toBeGreaterThan(0);
    expect(registering.filter((f) => !covered(f))).toEqual([]);
    // tsup (esbuild) reads the same field while it builds dist from src: a registering source
    // file left out would have its bare imports dropped from the build
    const sources: string[] = [];
    const walkSrc = (dir: string): void => {
      for (const e of readdirSync(join(repo, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walkSrc(rel);
        else if (e.name.endsWith('.ts') && /^(registerFamily|registerExtCommunity)\(|^\w+\.register\(\)/m.test(readFileSync(join(repo, rel), 'utf8'))) sources.push(rel);
      }
    };
    walkSrc('src');
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((f) => !covered(f))).toEqual([]);
    // the entries that pull them in are listed too; vtep/dataplane/testing are not
    for (const e of ['dist/index.js', 'dist/index.cjs', 'dist/bgp/index.js', 'dist/evpn/index.cjs']) expect(covered(e), e).toBe(true);
    expect(covered('dist/vtep/index.js')).toBe(false);
  });

  it('bundled (esbuild, which honours "sideEffects"), an app still has EVPN registered; with "sideEffects": false it would not', () => {
    const app = join(dir, 'app');
    // a hand-made UPDATE with one EVPN Type-3 in MP_REACH; the app imports only decodeMessage
    writeFileSync(join(app, 'bundled.mjs'), `import { decodeMessage } from 'bgp-evpn';
const nlri = Buffer.from('03110001c000020100640000000020c0000201', 'hex');
const reach = Buffer.concat([Buffer.from('00194604c000020100', 'hex'), nlri]);
const attrs = Buffer.concat([Buffer.from([0x40, 1, 1, 0, 0x40, 2, 0, 0x80, 0x0e, reach.length]), reach]);
const body = Buffer.concat([Buffer.from([0, 0, 0, attrs.length]), attrs]);
const m = decodeMessage(Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 19 + body.length, 2]), body]));
console.log(JSON.stringify(m.attributes.find((a) => a.type === 'mp-reach').nlri));
`);
    const bundle = (out: string) => {
      run(bin('esbuild'), ['bundled.mjs', '--bundle', '--platform=node', '--format=cjs', `--outfile=${out}`, '--log-level=error'], app);
      return JSON.parse(run(process.execPath, [out], app)) as unknown[];
    };
    expect(bundle('bundled.cjs')).toEqual([{ routeType: 3, rd: '192.0.2.1:100', ethernetTag: 0, originator: '192.0.2.1' }]);
    const pj = join(app, 'node_modules', 'bgp-evpn', 'package.json');
    const original = readFileSync(pj, 'utf8');
    try {
      writeFileSync(pj, JSON.stringify({ ...JSON.parse(original), sideEffects: false }));
      expect(bundle('bundled-wrong.cjs')).toEqual([{ raw: expect.anything() }]);
    } finally {
      writeFileSync(pj, original);
    }
  }, 60_000);

  it('an ESM app and a CJS app run against it and decode EVPN through the registry', () => {
    const app = join(dir, 'app');
    writeFileSync(join(app, 'esm.mjs'), esmApp);
    writeFileSync(join(app, 'cjs.cjs'), cjsApp);
    const want = { nlri: [{ routeType: 2, rd: '192.0.2.1:100', esi: '00:00:00:00:00:00:00:00:00:00', ethernetTag: 0, mac: '02:00:00:00:00:01', ip: '10.1.0.1', label1: 100 }], sameRegistry: true, speaker: 'function' };
    expect(JSON.parse(run(process.execPath, ['esm.mjs'], app))).toEqual(want);
    expect(JSON.parse(run(process.execPath, ['cjs.cjs'], app))).toEqual(want);
  });

  it("the README's quick start, saved as vtep.mjs in the app, runs with plain node", () => {
    const app = join(dir, 'app');
    const code = /<!-- quick-start -->\s*```ts\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'))?.[1];
    expect(code).toContain("from 'bgp-evpn'");
    writeFileSync(join(app, 'vtep.mjs'), code!);
    expect(run(process.execPath, ['vtep.mjs', '--help'], app)).toMatch(/^usage: quick-start --rr/);
    let stderr = '';
    try {
      run(process.execPath, ['vtep.mjs', '--rr', 'rr.example', '--me', '127.0.0.66'], app);
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('PeerConfigError: address: expected an IPv4 or IPv6 address (got "rr.example")');
  });

  it('npx bgp-evpnd: the bin runs from the installed package (help, and a config error naming the line)', () => {
    const app = join(dir, 'app');
    expect(run('npx', ['--no-install', 'bgp-evpnd', '--help'], app)).toMatch(/^Usage: bgp-evpnd -f FILE/);
    writeFileSync(join(app, 'rr.toml'), '[global.config]\n  as = 65000\n  router-id = "127.0.0.1"\n  prot = 1790\n');
    let stderr = '';
    try {
      run('npx', ['--no-install', 'bgp-evpnd', '-f', 'rr.toml'], app);
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    }
    expect(stderr).toMatch(/^bgp-evpnd: rr\.toml:4: global\.config\.prot: unknown key prot/);
  });

  it('tsc --noEmit under node16 (ESM and CJS files) and bundler resolution', () => {
    const app = join(dir, 'app');
    writeFileSync(join(app, 'esm.mts'), tsEsm);
    writeFileSync(join(app, 'cjs.cts'), tsCjs);
    writeFileSync(join(app, 'bundler.ts'), tsEsm);
    writeFileSync(join(app, 'tsconfig.node16.json'), tsconfig('node16', 'node16', ['esm.mts', 'cjs.cts'], false));
    writeFileSync(join(app, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler', ['bundler.ts'], true));
    for (const p of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
      try {
        run(bin('tsc'), ['-p', p], app);
      } catch (e) {
        throw new Error(`tsc -p ${p} failed:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
      }
    }
    // not vacuous: with `any` types the two @ts-expect-error lines would be errors themselves
  }, 180_000);

  it('are-the-types-wrong: clean for node16 (from ESM and from CJS) and bundler', () => {
    const res = (() => {
      try {
        return run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'json'], dir);
      } catch (e) {
        return (e as { stdout?: string }).stdout ?? '';
      }
    })();
    const report = JSON.parse(res) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './api', './bgp', './dataplane', './evpn', './package.json', './testing', './vtep']);
    const relevant = (report.analysis.problems as { resolutionKind?: string }[]).filter((p) => p.resolutionKind !== 'node10');
    expect(relevant).toEqual([]);
    expect(existsSync(tarball)).toBe(true);
  }, 120_000);
});

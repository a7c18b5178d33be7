/**
 * The `.proto` files are found from a bundled module the way the published package lays them
 * out (`dist/api/index.{js,cjs}` next to `proto/gobgp/`), in ESM and in CJS.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const cache = join(root, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
// inside the repository so that bundled imports of dependencies resolve from node_modules
const pkg = mkdtempSync(join(cache, 'api-pkg-'));

describe('bgp-evpn/api as packaged', () => {
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it('loads proto/gobgp from dist/api in ESM and CJS', async () => {
    cpSync(join(root, 'proto'), join(pkg, 'proto'), { recursive: true });
    for (const [format, ext] of [['esm', 'js'], ['cjs', 'cjs']] as const) {
      await build({
        entryPoints: [join(root, 'src/api/index.ts')],
        outfile: join(pkg, 'dist', 'api', `index.${ext}`),
        bundle: true,
        packages: 'external',
        platform: 'node',
        format,
        logLevel: 'silent',
      });
    }
    const esm = await import(pathToFileURL(join(pkg, 'dist', 'api', 'index.js')).href);
    const cjs = createRequire(import.meta.url)(join(pkg, 'dist', 'api', 'index.cjs'));
    for (const m of [esm, cjs]) {
      expect(m.protoDir()).toBe(join(pkg, 'proto', 'gobgp'));
      expect(Object.keys(m.gobgpServiceDefinition())).toContain('ListPath');
      expect(m.packAny('OriginAttribute', { origin: 2 }).type_url).toBe('type.googleapis.com/apipb.OriginAttribute');
    }
  });
});

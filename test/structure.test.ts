/**
 * The structure check (scripts/structure.ts + .dependency-cruiser.cjs) can fail: it is run on
 * small fixture trees, one that keeps the layer rules and one with a deliberate file circle
 * (type-only), folder circle, upward imports and a long file, and must tell each apart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStructure, folderCircles, longFiles, maxLines } from '../scripts/structure.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'structure-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const long = (top: string): string => `${top}\n${'export const a = 1;\n'.repeat(maxLines)}`;

/** A tree that keeps every rule: each layer imports only downwards, apps use src/index.ts. */
const clean: Record<string, string> = {
  'src/net/ip.ts': 'export const ip = 1;\n',
  'src/bgp/types.ts': "import { ip } from '../net/ip.js';\nexport const t = ip;\n",
  'src/bgp/fsm/types.ts': "export type State = 'Idle';\n",
  'src/bgp/session/session.ts': "import type { State } from '../fsm/types.js';\nimport { t } from '../types.js';\nexport const s: State = 'Idle';\nexport const u = t;\n",
  'src/bgp/rib/peer.ts': "import { s } from '../session/session.js';\nexport const p = s;\n",
  'src/bgp/index.ts': "export { p } from './rib/peer.js';\n",
  'src/evpn/nlri.ts': "import { p } from '../bgp/index.js';\nexport const n = p;\n",
  'src/evpn/index.ts': "export { n } from './nlri.js';\n",
  'src/dataplane/engine.ts': "import { ip } from '../net/ip.js';\nexport const e = ip;\n",
  'src/dataplane/index.ts': "export { e } from './engine.js';\n",
  'src/vtep/manager.ts': "import { n } from '../evpn/nlri.js';\nimport { e } from '../dataplane/engine.js';\nimport { p } from '../bgp/rib/peer.js';\nexport const m = [n, e, p];\n",
  'src/vtep/index.ts': "export { m } from './manager.js';\n",
  'src/index.ts': "export * from './bgp/index.js';\nexport * from './evpn/index.js';\nexport * from './vtep/index.js';\nexport * from './dataplane/index.js';\n",
  'src/api/server.ts': "import { m } from '../index.js';\nimport { e } from '../dataplane/index.js';\nimport { h } from './helper.js';\nexport const a = [m, e, h];\n",
  'src/api/helper.ts': 'export const h = 1;\n',
  'src/vtep/big.ts': long('// size: one table per RFC 7432 route type, kept together on purpose'),
};

describe('structure check', () => {
  it('passes a tree that keeps the layer rules', () => {
    expect(checkStructure(tree(clean))).toEqual([]);
  });

  it('fails on a type-only file circle, a folder circle, upward imports and a long file', () => {
    const root = tree({
      ...clean,
      // a circle made of type-only imports
      'src/bgp/rib/route.ts': "import type { AttrSet } from './attr-set.js';\nexport interface Route { attrs: AttrSet }\n",
      'src/bgp/rib/attr-set.ts': "import type { Route } from './route.js';\nexport interface AttrSet { route?: Route }\n",
      // a folder circle without a file circle: routes/a → codecs/b, codecs/c → routes/d
      'src/evpn/routes/a.ts': "import { b } from '../codecs/b.js';\nexport const a = b;\n",
      'src/evpn/routes/d.ts': 'export const d = 1;\n',
      'src/evpn/codecs/b.ts': 'export const b = 1;\n',
      'src/evpn/codecs/c.ts': "import { d } from '../routes/d.js';\nexport const c = d;\n",
      // upward imports
      'src/dataplane/engine.ts': "import { n } from '../evpn/nlri.js';\nexport const e = n;\n",
      'src/net/ip.ts': "import type { State } from '../bgp/fsm/types.js';\nexport const ip = 1;\nexport type S = State;\n",
      'src/bgp/fsm/types.ts': "import type { s } from '../session/session.js';\nimport { EventEmitter } from 'node:events';\nexport type State = 'Idle';\nexport type X = typeof s;\nexport const e = EventEmitter;\n",
      'src/bgp/messages/open.ts': "import { p } from '../rib/peer.js';\nexport const o = p;\n",
      'src/api/server.ts': "import { t } from '../bgp/types.js';\nexport const a = t;\n",
      // over the limit, with a tag but no reason
      'src/vtep/big.ts': long('// size: '),
    });
    const problems = checkStructure(root);
    const named = (prefix: string) => problems.filter((p) => p.startsWith(prefix));
    expect(named('no-circular: src/bgp/rib/attr-set.ts → src/bgp/rib/route.ts → src/bgp/rib/attr-set.ts')).toHaveLength(1);
    expect(named('folder circle: src/evpn/codecs/ ↔ src/evpn/routes/')).toHaveLength(1);
    expect(named('dataplane-knows-no-routes: src/dataplane/engine.ts → src/evpn/nlri.ts')).toHaveLength(1);
    expect(named('net-is-the-ground: src/net/ip.ts → src/bgp/fsm/types.ts')).toHaveLength(1);
    expect(named('fsm-owns-its-types: src/bgp/fsm/types.ts → src/bgp/session/session.ts')).toHaveLength(1);
    expect(named('apps-use-the-public-surface: src/api/server.ts → src/bgp/types.ts')).toHaveLength(1);
    expect(named('fsm-is-pure: src/bgp/fsm/types.ts → ')).toHaveLength(1);
    expect(named('bgp-wire-below-session: src/bgp/messages/open.ts → src/bgp/rib/peer.ts')).toHaveLength(1);
    expect(named('long file: src/vtep/big.ts')).toHaveLength(1);
    // the fsm → session import also closes a folder circle (and a file circle through net)
    expect(named('folder circle: src/bgp/fsm/ ↔ src/bgp/session/')).toHaveLength(1);
  });

  it('collapses folders, keeps a folder’s own files apart, and finds layer circles', () => {
    const mod = (source: string, ...deps: string[]) => ({ source, dependencies: deps.map((resolved) => ({ resolved })) });
    // src/bgp/speaker.ts → session/ → src/bgp/types.ts is no circle: the loose files stand alone
    expect(folderCircles([mod('src/bgp/speaker.ts', 'src/bgp/session/s.ts'), mod('src/bgp/session/s.ts', 'src/bgp/types.ts'), mod('src/bgp/types.ts')])).toEqual([]);
    // but a loose file that imports back up is
    const up = folderCircles([mod('src/bgp/types.ts', 'src/bgp/session/s.ts'), mod('src/bgp/session/s.ts', 'src/bgp/session/t.ts'), mod('src/bgp/session/t.ts', 'src/bgp/types.ts')]);
    expect(up).toHaveLength(1);
    expect(up[0]).toMatch(/^folder circle: src\/bgp\/session\/ ↔ src\/bgp\/types\.ts/);
    // a circle between layers through different folders is a layer circle
    const layers = folderCircles([mod('src/vtep/a.ts', 'src/dataplane/x/b.ts'), mod('src/dataplane/y/c.ts', 'src/vtep/d.ts'), mod('src/vtep/d.ts')]);
    expect(layers).toEqual([expect.stringMatching(/^layer circle: src\/dataplane\/ ↔ src\/vtep\//)]);
  });

  it('a long file needs a reason, not just the tag', () => {
    const root = tree({
      'src/a.ts': long('// size: '),
      'src/b.ts': long('/** doc */\n// size: the RFC 4271 8.2.2 table, one row per state, reads best whole'),
      'src/c.ts': long('/** doc */'),
      'src/d.ts': 'export const d = 1;\n'.repeat(maxLines),
    });
    expect(longFiles(root).map((p) => p.split(' has')[0])).toEqual(['long file: src/a.ts', 'long file: src/c.ts']);
  });

  it('this repository passes', () => {
    expect(checkStructure()).toEqual([]);
  });
});

/**
 * Import rules of bgp-evpn, written from the layer diagram in DESIGN.md §1 (dependency-cruiser).
 * Run with the folder and file-size checks by `npm run check:structure` (scripts/structure.ts),
 * which `.ci/run` calls before the tests.
 *
 *   src/vtep ──> src/evpn ──> src/bgp (wire → session → rib) ──> src/net
 *      └──────> src/dataplane ──────────────────────────────────> src/net
 *   src/api, src/daemon, src/monitor: only the public entry points (src/index.ts, src/<layer>/index.ts)
 *
 * Type-only imports count (`tsPreCompilationDeps`): a type circle is still a circle a reader has
 * to hold in their head, and it is what keeps two files from being split or moved apart.
 */
const apps = 'api|daemon|monitor';
const rootIndex = '^src/index\\.ts$';

/** A rule: no import from files matching `from` to files matching `to` (every rule is an error). */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to });

module.exports = {
  forbidden: [
    forbid(
      'no-circular',
      'an import circle between files: move the declarations both need into a small file of their own',
      '^src/',
      { circular: true },
    ),
    forbid(
      'net-is-the-ground',
      'src/net (addresses, hashing, clock) imports nothing of ours',
      '^src/net/',
      { path: '^src/', pathNot: '^src/net/' },
    ),
    forbid(
      'bgp-knows-no-evpn',
      'src/bgp knows nothing of EVPN, VTEPs, dataplanes or the layers above it: families plug in through registries and hooks',
      '^src/bgp/',
      { path: [`^src/(evpn|vtep|dataplane|testing|${apps})/`, rootIndex] },
    ),
    forbid(
      'evpn-knows-no-vtep',
      'src/evpn (codecs, route keys, builders) knows nothing of VTEP tables, dataplanes or the layers above it',
      '^src/evpn/',
      { path: [`^src/(vtep|dataplane|testing|${apps})/`, rootIndex] },
    ),
    forbid(
      'dataplane-knows-no-routes',
      'src/dataplane never imports bgp or evpn (nor vtep): what both need lives in src/net',
      '^src/dataplane/',
      { path: [`^src/(bgp|evpn|vtep|testing|${apps})/`, rootIndex] },
    ),
    forbid(
      'vtep-below-the-surface',
      'src/vtep may import evpn, bgp, dataplane and net, nothing above it',
      '^src/vtep/',
      { path: [`^src/(testing|${apps})/`, rootIndex] },
    ),
    forbid(
      'testing-below-the-apps',
      'src/testing (fast-check arbitraries, subpath ./testing) uses the layers, not the applications on top',
      '^src/testing/',
      { path: [`^src/(${apps})/`, rootIndex] },
    ),
    {
      name: 'apps-use-the-public-surface',
      comment:
        'src/api, src/daemon and src/monitor use the library only through its public entry points: src/index.ts and the subpath index files src/<layer>/index.ts (export what they need there)',
      severity: 'error',
      from: { path: `^src/(${apps})/` },
      to: { path: '^src/', pathNot: ['^src/$1/', rootIndex, '^src/[^/]+/index\\.ts$'] },
    },
    forbid(
      'daemon-on-top',
      'src/daemon runs the API server and the monitors; they do not import the daemon',
      '^src/(api|monitor)/',
      { path: '^src/daemon/' },
    ),
    forbid(
      'bgp-wire-below-session',
      'inside src/bgp the wire codec (messages, attributes, nlri) sits below the session and the RIB',
      '^src/bgp/(messages|attributes|nlri)/',
      { path: ['^src/bgp/(session|fsm|rib)/', '^src/bgp/speaker\\.ts$'] },
    ),
    forbid(
      'bgp-session-below-rib',
      'inside src/bgp the session and its FSM sit below the RIB and the speaker',
      '^src/bgp/(session|fsm)/',
      { path: ['^src/bgp/rib/', '^src/bgp/speaker\\.ts$'] },
    ),
    forbid(
      'fsm-owns-its-types',
      'the FSM owns its types (src/bgp/fsm/types.ts): the session imports the FSM, never the other way',
      '^src/bgp/fsm/',
      { path: '^src/bgp/session/' },
    ),
    forbid(
      'fsm-is-pure',
      'the FSM is a pure function (state, event) -> {next, actions} (DESIGN.md §2): no node module, no socket, no timer',
      '^src/bgp/fsm/',
      { dependencyTypes: ['core'] },
    ),
  ],
  options: {
    // a type-only import is an import: `import type` circles count
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};

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

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import circle between files: move the declarations both need into a small file of their own',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'net-is-the-ground',
      comment: 'src/net (addresses, hashing, clock) imports nothing of ours',
      severity: 'error',
      from: { path: '^src/net/' },
      to: { path: '^src/', pathNot: '^src/net/' },
    },
    {
      name: 'bgp-knows-no-evpn',
      comment: 'src/bgp knows nothing of EVPN, VTEPs, dataplanes or the layers above it: families plug in through registries and hooks',
      severity: 'error',
      from: { path: '^src/bgp/' },
      to: { path: [`^src/(evpn|vtep|dataplane|testing|${apps})/`, rootIndex] },
    },
    {
      name: 'evpn-knows-no-vtep',
      comment: 'src/evpn (codecs, route keys, builders) knows nothing of VTEP tables, dataplanes or the layers above it',
      severity: 'error',
      from: { path: '^src/evpn/' },
      to: { path: [`^src/(vtep|dataplane|testing|${apps})/`, rootIndex] },
    },
    {
      name: 'dataplane-knows-no-routes',
      comment: 'src/dataplane never imports bgp or evpn (nor vtep): what both need lives in src/net',
      severity: 'error',
      from: { path: '^src/dataplane/' },
      to: { path: [`^src/(bgp|evpn|vtep|testing|${apps})/`, rootIndex] },
    },
    {
      name: 'vtep-below-the-surface',
      comment: 'src/vtep may import evpn, bgp, dataplane and net, nothing above it',
      severity: 'error',
      from: { path: '^src/vtep/' },
      to: { path: [`^src/(testing|${apps})/`, rootIndex] },
    },
    {
      name: 'testing-below-the-apps',
      comment: 'src/testing (fast-check arbitraries, subpath ./testing) uses the layers, not the applications on top',
      severity: 'error',
      from: { path: '^src/testing/' },
      to: { path: [`^src/(${apps})/`, rootIndex] },
    },
    {
      name: 'apps-use-the-public-surface',
      comment:
        'src/api, src/daemon and src/monitor use the library only through its public entry points: src/index.ts and the subpath index files src/<layer>/index.ts (export what they need there)',
      severity: 'error',
      from: { path: `^src/(${apps})/` },
      to: { path: '^src/', pathNot: ['^src/$1/', rootIndex, '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'daemon-on-top',
      comment: 'src/daemon runs the API server and the monitors; they do not import the daemon',
      severity: 'error',
      from: { path: '^src/(api|monitor)/' },
      to: { path: '^src/daemon/' },
    },
    {
      name: 'bgp-wire-below-session',
      comment: 'inside src/bgp the wire codec (messages, attributes, nlri) sits below the session and the RIB',
      severity: 'error',
      from: { path: '^src/bgp/(messages|attributes|nlri)/' },
      to: { path: ['^src/bgp/(session|fsm|rib)/', '^src/bgp/speaker\\.ts$'] },
    },
    {
      name: 'bgp-session-below-rib',
      comment: 'inside src/bgp the session and its FSM sit below the RIB and the speaker',
      severity: 'error',
      from: { path: '^src/bgp/(session|fsm)/' },
      to: { path: ['^src/bgp/rib/', '^src/bgp/speaker\\.ts$'] },
    },
    {
      name: 'fsm-owns-its-types',
      comment: 'the FSM owns its types (src/bgp/fsm/types.ts): the session imports the FSM, never the other way',
      severity: 'error',
      from: { path: '^src/bgp/fsm/' },
      to: { path: '^src/bgp/session/' },
    },
    {
      name: 'fsm-is-pure',
      comment: 'the FSM is a pure function (state, event) -> {next, actions} (DESIGN.md §2): no node module, no socket, no timer',
      severity: 'error',
      from: { path: '^src/bgp/fsm/' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    // a type-only import is an import: `import type` circles count
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};

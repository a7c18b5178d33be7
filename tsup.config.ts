import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'bgp/index': 'src/bgp/index.ts',
    'evpn/index': 'src/evpn/index.ts',
    'vtep/index': 'src/vtep/index.ts',
    'dataplane/index': 'src/dataplane/index.ts',
    'testing/index': 'src/testing/index.ts',
    'api/index': 'src/api/index.ts',
    // the bgp-evpnd binary (package.json "bin"); its shebang is kept and the file made executable
    'daemon/cli': 'src/daemon/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // no sourcemaps: the output is unminified ESM/CJS with the source names, so a stack trace
  // already reads; maps would be 2.4 MB of the 3.9 MB package for little gain
  sourcemap: false,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'bgp/index': 'src/bgp/index.ts',
    'evpn/index': 'src/evpn/index.ts',
    'vtep/index': 'src/vtep/index.ts',
    'dataplane/index': 'src/dataplane/index.ts',
    'testing/index': 'src/testing/index.ts',
    // the bgp-evpnd binary (package.json "bin"); its shebang is kept and the file made executable
    'daemon/cli': 'src/daemon/cli.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});

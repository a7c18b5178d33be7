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
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});

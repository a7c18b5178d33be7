/**
 * scripts/api-docs.ts: docs/API.md is generated from the TSDoc of the public entry points.
 * The main classes and functions of each layer appear with their signatures and doc text.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('scripts/api-docs.ts', () => {
  it('documents every subpath with signatures and TSDoc text', () => {
    const md = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/api-docs.ts', '--stdout'], { encoding: 'utf8', timeout: 60_000 });
    for (const sub of ['bgp', 'evpn', 'vtep', 'dataplane', 'testing']) expect(md).toContain(`## \`bgp-evpn/${sub}\``);
    // a class with its constructor, methods and their doc comments
    expect(md).toContain('#### `BgpSpeaker` (class)');
    expect(md).toMatch(/- `announce\(route: RouteInput\): void` — Originate routes/);
    expect(md).toContain('#### `VtepManager` (class)');
    expect(md).toContain('#### `VxlanEngine` (class)');
    // functions with their signatures, interfaces with their fields
    expect(md).toMatch(/function macIpRoute\(input: MacIpRouteInput\): BuiltRoute<MacIpRoute>/);
    expect(md).toMatch(/#### `arbMutatedMessage` \(function\)[\s\S]*?Near-valid message bytes/);
    expect(md).toMatch(/#### `MacIpRoute` \(interface\)[\s\S]*?- `readonly mac: string`/);
    // @internal members stay out
    expect(md).not.toMatch(/- `locRib\(/);
  });
});

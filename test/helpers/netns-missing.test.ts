/**
 * A skipped real-peer test says what is missing in installable terms: root, and Debian
 * packages (not binary names: `gobgp` comes with `gobgpd`, `bgpd` with `frr`).
 */
import { describe, expect, it } from 'vitest';
import { debianPackageOf, describeMissing } from './netns.js';

describe('missingReal messages', () => {
  it('names packages, with the binaries they bring', () => {
    expect(describeMissing(true, [])).toBe('root');
    expect(describeMissing(false, ['gobgp'])).toBe('Debian package gobgpd (gobgp)');
    expect(describeMissing(false, ['exabgp'])).toBe('Debian package exabgp');
    expect(describeMissing(true, ['gobgpd', 'gobgp', 'bgpd', 'vtysh', 'ping'])).toBe('root; Debian packages frr (bgpd, vtysh), gobgpd (gobgpd, gobgp), iputils-ping (ping)');
    expect(describeMissing(false, ['ip', 'mystery'])).toBe('Debian package iproute2 (ip); the command mystery');
  });

  it('covers every binary a real-peer test asks for, with the packages .ci/run installs', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const ci = readFileSync('.ci/run', 'utf8');
    const asked = new Set<string>(['ip']);
    for (const dir of ['test/interop', 'test/evpn', 'test/dataplane']) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.test.ts'))) {
        for (const m of readFileSync(`${dir}/${f}`, 'utf8').matchAll(/missingReal\(\[([^\]]*)\]/g)) for (const b of m[1]!.matchAll(/'([^']+)'/g)) asked.add(b[1]!);
      }
    }
    expect(asked.has('exabgp')).toBe(true);
    for (const b of asked) {
      expect(debianPackageOf[b], b).toBeDefined();
      // wireshark-common comes with tshark
      if (debianPackageOf[b] !== 'wireshark-common') expect(ci, `.ci/run installs ${debianPackageOf[b]}`).toMatch(new RegExp(`for p in [^;]*\\b${debianPackageOf[b]}\\b`));
    }
  });
});

/**
 * Memory a peer can make the speaker hold is bounded in bytes (issue 11), measured in a child
 * process run with `--expose-gc` (heapUsed + external after forced GCs; see memory-child.ts):
 * - 4,000 distinct 64 kB UPDATEs, each withdrawn again: at most 32 MiB of growth with the default
 *   attribute cache budget (before: 1.4 GiB — the cache was bounded by 4,096 entries, not bytes);
 * - 200 routes kept from 200 rounds of churn: at most 4 MiB (before: 50 MiB — each kept route
 *   pinned a 256 KiB slab block).
 * And the cache's budget is per session and configurable (`PeerConfig.limits.attributeCacheBytes`).
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseUpdateRaw } from '../../src/bgp/codec.js';
import { attributeCacheUsage } from '../../src/bgp/messages/attr-cache.js';
import { registerEvpn } from '../../src/evpn/index.js';
import { distinctUpdate } from './messages.js';

registerEvpn();
const MiB = 1024 * 1024;

interface ChildResult {
  mode: string;
  held: number;
  growth: number;
  state: string;
  seconds: number;
}

function child(mode: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/hostile/memory-child.ts', mode], { timeout: 90_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${String(err)}\n${stdout}\n${stderr}`));
      const line = stdout.trim().split('\n').at(-1)!;
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

describe('memory per peer is bounded in bytes', () => {
  it('4,000 distinct 64 kB UPDATEs + withdraws: heap + external grow by <= 32 MiB, no route held', async () => {
    const r = await child('distinct');
    console.log(`4,000 distinct 64 kB UPDATEs + withdraws: grew ${(r.growth / MiB).toFixed(1)} MiB in ${r.seconds} s`);
    expect(r).toMatchObject({ held: 0, state: 'Established' });
    expect(r.growth, `grew ${(r.growth / MiB).toFixed(1)} MiB`).toBeLessThanOrEqual(32 * MiB);
  }, 100_000);

  it('200 routes kept after heavy churn (200 rounds of 1,000 routes): <= 4 MiB', async () => {
    const r = await child('churn');
    console.log(`churn, 200 routes kept: grew ${(r.growth / MiB).toFixed(1)} MiB in ${r.seconds} s`);
    expect(r).toMatchObject({ held: 200, state: 'Established' });
    expect(r.growth, `grew ${(r.growth / MiB).toFixed(1)} MiB`).toBeLessThanOrEqual(4 * MiB);
  }, 100_000);

  it('the attribute cache keeps to its configured byte budget, per options object (session)', () => {
    const small = { extendedMessage: true, attributeCacheBytes: 2 * MiB };
    const other = { extendedMessage: true };
    for (let i = 0; i < 100; i++) {
      parseUpdateRaw(distinctUpdate(i), small);
      parseUpdateRaw(distinctUpdate(i, 2000), other);
    }
    const s = attributeCacheUsage(small);
    expect(s.bytes).toBeLessThanOrEqual(2 * MiB);
    expect(s.entries).toBeGreaterThan(0);
    expect(s.entries).toBeLessThan(100); // the oldest went
    expect(attributeCacheUsage(other).entries).toBe(100); // 100 x 2 kB sets fit the default 16 MiB
    // a set over the whole budget is not cached at all
    const none = { extendedMessage: true, attributeCacheBytes: 0 };
    parseUpdateRaw(distinctUpdate(1), none);
    expect(attributeCacheUsage(none)).toEqual({ bytes: 0, entries: 0 });
  });
});

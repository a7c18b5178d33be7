/**
 * The table benches at a small size: they still run, their checks (no route lost, every route
 * withdrawn) hold, and they return rows for the runner. Speed itself is measured in bench/, not
 * here.
 */
import { describe, expect, it } from 'vitest';

describe('bench smoke (small sizes)', () => {
  it('vtep and vtep-import benches run and report a row per side', async () => {
    process.env.VTEP_BENCH_ROUTES = '20000';
    process.env.VTEP_IMPORT_ROUTES = '5000';
    const vtep = await import('../bench/vtep.bench.js');
    const rows = await vtep.run();
    expect(rows.map((r) => r.name)).toEqual(['bare Map x2 (baseline): install+withdraw', 'VniTable (MAC->VTEP, IP->MAC): install+withdraw']);
    expect(rows.every((r) => r.rate > 0 && Number.isFinite(r.nsPerOp))).toBe(true);
    const imp = await import('../bench/vtep-import.bench.js');
    const rows2 = await imp.run();
    expect(rows2).toHaveLength(2);
    expect(rows2[1]!.ratio).toBeGreaterThan(0);
  }, 60_000);

  it('speaker bench: 2,000 routes over loopback TCP reach the Loc-RIB and the VTEP tables (no FRR row)', async () => {
    process.env.BENCH_FRR = '0';
    const speaker = await import('../bench/speaker.bench.js');
    // measureAll throws when the receiver holds fewer routes than were sent
    const rows = await speaker.measureAll([2000]);
    expect(rows.map((r) => [r.name, r.routes])).toEqual([['bgp-evpn BgpSpeaker', 2000], ['bgp-evpn BgpSpeaker + VtepManager', 2000]]);
    expect(rows.every((r) => r.ms > 0 && r.peakRssMiB > 0)).toBe(true);
  }, 90_000);
});

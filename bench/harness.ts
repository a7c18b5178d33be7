/**
 * The bench harness every bench uses: `measure(name, fn, ops)` runs `fn` (which does `ops`
 * operations per call) for about half a second after a short warm-up and returns one row.
 * Bounded: a row never runs longer than `seconds` (+ warm-up), whatever `fn` costs.
 */
import { fileURLToPath } from 'node:url';

/** One line of the printed table. */
export interface Row {
  /** Which bench file produced it (filled by the runner when empty). */
  bench?: string;
  name: string;
  /** Operations per second (`unit` says what an operation is). */
  rate: number;
  /** What one operation is: `msg`, `NLRI`, `route`, ... */
  unit: string;
  /** Nanoseconds per operation. */
  nsPerOp: number;
  /** Rate divided by the baseline row's rate, when there is one. */
  ratio?: number;
  note?: string;
}

let sink = 0;
/** Feed results here so the optimizer cannot drop the measured work. */
export function consume(v: unknown): void {
  if (v !== undefined && v !== null) sink = (sink + 1) | 0;
}
/** The sink's value (printed nowhere; exported so it is observable). */
export function sinkValue(): number {
  return sink;
}

export interface MeasureOptions {
  /** What one operation is (default `op`). */
  unit?: string;
  /** Time budget in seconds (default 0.5). */
  seconds?: number;
  /** A baseline row: the result gets `ratio = rate / baseline.rate`. */
  baseline?: Row;
  note?: string;
}

/** Run `fn` (doing `ops` operations per call) for ~0.5 s and return its row. */
export function measure(name: string, fn: () => unknown, ops: number, options: MeasureOptions = {}): Row {
  const budget = (options.seconds ?? 0.5) * 1e9;
  // warm-up: let the JIT settle (at most 1/5 of the budget)
  const warmEnd = process.hrtime.bigint() + BigInt(Math.floor(budget / 5));
  while (process.hrtime.bigint() < warmEnd) consume(fn());
  let calls = 0;
  let batch = 1;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) consume(fn());
    calls += batch;
    elapsed = Number(process.hrtime.bigint() - start);
    if (elapsed < budget / 50) batch *= 2;
  }
  const rate = (calls * ops) / (elapsed / 1e9);
  const row: Row = { name, rate, unit: options.unit ?? 'op', nsPerOp: elapsed / (calls * ops) };
  if (options.baseline !== undefined) row.ratio = rate / options.baseline.rate;
  if (options.note !== undefined) row.note = options.note;
  return row;
}

function fmtRate(r: number): string {
  if (r >= 1e9) return `${(r / 1e9).toFixed(2)} G`;
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)} k`;
  return r.toFixed(1);
}

/** Print rows as one aligned table. */
export function printTable(rows: readonly Row[]): void {
  const cells = rows.map((r) => [
    r.bench ?? '',
    r.name,
    `${fmtRate(r.rate)} ${r.unit}/s`,
    `${r.nsPerOp.toFixed(1)} ns`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(3)}x`,
    r.note ?? '',
  ]);
  const head = ['bench', 'case', 'rate', 'per op', 'vs bare', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 2 || i === 3 || i === 4 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/**
 * Like `measure`, but the ratio comes from running `fn` and `baseline` alternately in short
 * slices (10 rounds), so a machine whose load changes during the run skews both sides alike.
 */
export function compare(name: string, fn: () => unknown, baseline: () => unknown, ops: number, options: MeasureOptions = {}): Row {
  const budget = (options.seconds ?? 0.5) * 1e9;
  const slice = budget / 20;
  const run = (f: () => unknown, ns: number): [calls: number, elapsed: number] => {
    let calls = 0;
    let batch = 1;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < ns) {
      for (let i = 0; i < batch; i++) consume(f());
      calls += batch;
      elapsed = Number(process.hrtime.bigint() - start);
      if (elapsed < ns / 50) batch *= 2;
    }
    return [calls, elapsed];
  };
  run(fn, slice);
  run(baseline, slice);
  let fc = 0;
  let ft = 0;
  let bc = 0;
  let bt = 0;
  for (let r = 0; r < 10; r++) {
    const [c1, t1] = run(fn, slice);
    const [c2, t2] = run(baseline, slice);
    fc += c1;
    ft += t1;
    bc += c2;
    bt += t2;
  }
  const rate = (fc * ops) / (ft / 1e9);
  const baseRate = (bc * ops) / (bt / 1e9);
  const row: Row = { name, rate, unit: options.unit ?? 'op', nsPerOp: ft / (fc * ops), ratio: rate / baseRate };
  if (options.note !== undefined) row.note = options.note;
  return row;
}

/** What the process benches (speaker, reflect) measure per run: wall time, CPU time, peak RSS. */
export interface ProcessResult {
  name: string;
  ms: number;
  cpuMs: number;
  peakRssMiB: number;
}

/**
 * When the module at `moduleUrl` is the script node was started with (not imported by the
 * runner): run `measureAll` on the sizes given as arguments (its own defaults when none), print
 * the results as a table (whole numbers; two decimals on `ratio…` rows) and exit.
 */
export async function runAsScript<R extends ProcessResult>(moduleUrl: string, measureAll: (sizes?: readonly number[]) => Promise<R[]>): Promise<void> {
  if (process.argv[1] === undefined || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const rows = await measureAll(sizes.length > 0 ? sizes : undefined);
  const f = (r: R, v: number) => (r.name.startsWith('ratio') ? v.toFixed(2) : v.toFixed(0));
  console.table(rows.map((r) => ({ ...r, ms: f(r, r.ms), cpuMs: f(r, r.cpuMs), peakRssMiB: f(r, r.peakRssMiB) })));
  process.exit(0);
}

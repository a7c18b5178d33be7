/**
 * `npm run fuzz -- --count N` (bench/fuzz.ts) stays a working command: a small run goes through
 * the decoders, the framer and the live speaker, prints inputs/s, the outcome table and the
 * errors by code/subcode, finds no foreign exception, and exits 0; a bad argument exits non-zero.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function fuzz(args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bench/fuzz.ts', ...args], { timeout: 60_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout + stderr });
    });
  });
}

describe('npm run fuzz', () => {
  it('a small run prints the table and exits 0', async () => {
    const { code, out } = await fuzz(['--count', '200', '--seed', '5', '--time-limit', '30']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^fuzz: 200 inputs in [\d.]+ s \(\d+ inputs\/s\), seed 5$/m);
    for (const target of ['decodeMessage', 'parseUpdateRaw', 'framer', 'speaker']) {
      const row = new RegExp(`^${target}\\s+(\\d+)\\s+(\\d+)\\s+0$`, 'm').exec(out);
      expect(row, `${target} row in\n${out}`).not.toBeNull();
      expect(Number(row![1]) + Number(row![2])).toBeGreaterThan(0);
    }
    // typed errors of several kinds, each as NOTIFICATION code/subcode
    expect(out).toMatch(/^ {2}3\/\d+ thrown\s+\d+$/m);
    expect(out).toMatch(/^ {2}1\/\d+ thrown\s+\d+$/m);
    expect(out).toMatch(/^ {2}\d\/\d+ notification\s+\d+$/m);
    expect(out).toMatch(/^speaker: \d+ session resets, alive at the end: true$/m);
    expect(out).toMatch(/^foreign exceptions: 0$/m);
  }, 70_000);

  it('the same seed gives the same table; a bad argument exits non-zero', async () => {
    const table = (s: string): string => s.split('\n').filter((l) => !l.startsWith('fuzz:')).join('\n');
    const a = await fuzz(['--count', '60', '--seed', '9', '--no-speaker']);
    const b = await fuzz(['--count', '60', '--seed', '9', '--no-speaker']);
    expect(a.code, a.out).toBe(0);
    expect(table(a.out)).toBe(table(b.out));
    expect(a.out).not.toMatch(/^speaker/m);
    const bad = await fuzz(['--count', 'many']);
    expect(bad.code).not.toBe(0);
  }, 70_000);
});

/**
 * Fuzz the wire codec and a live speaker, as a command:
 *
 *   npm run fuzz -- --count N [--seed S] [--time-limit SEC] [--no-speaker]   (bench/fuzz.ts)
 *
 * Inputs, in turn: near-valid messages and random bodies from the exported arbitraries
 * (`bgp-evpn/testing`: `arbMutatedMessage`, `arbRandomMessage`), EVPN UPDATEs whose NLRI come
 * from `arbNearValidEvpnNlri`, and byte mutations (flips, inserts, deletes, cuts) of valid
 * messages from `arbMessage`. Each input goes through `decodeMessage` and `parseUpdateRaw`
 * (with and without extended messages / ADD-PATH), through the `Framer` in random chunks, and
 * to a live `BgpSpeaker` over the in-memory network (virtual clock; a reset session is brought
 * back up before the next input).
 *
 * Prints inputs/s, the outcomes per target, the errors by NOTIFICATION code/subcode (thrown, or
 * RFC 7606 errors that kept the session up), and every foreign exception — anything that is not
 * a `BgpError` — with its input as hex. Exit code 1 when there was a foreign exception. Bounded
 * by `--count` and by `--time-limit` (default 60 s).
 */
import fc from 'fast-check';
import { BgpError } from '../src/bgp/errors.js';
import { decodeMessage, encodeMessage, parseUpdateRaw } from '../src/bgp/codec.js';
import { familyKey } from '../src/bgp/families.js';
import { Framer } from '../src/bgp/framer.js';
import type { CodecOptions, UpdateMessage } from '../src/bgp/types.js';
import { FuzzSpeaker } from './fuzz-speaker.js';
import { arbMessage, arbMutatedMessage, arbNearValidEvpnNlri, arbRandomMessage } from '../src/testing/index.js';

interface Args {
  count: number;
  seed: number;
  timeLimit: number;
  speaker: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { count: 1000, seed: Date.now() % 0x7fffffff, timeLimit: 60, speaker: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${k} needs a number`);
      return n;
    };
    if (k === '--count') a.count = Math.floor(v());
    else if (k === '--seed') a.seed = Math.floor(v());
    else if (k === '--time-limit') a.timeLimit = v();
    else if (k === '--no-speaker') a.speaker = false;
    else throw new Error(`unknown argument ${k} (--count N --seed S --time-limit SEC --no-speaker)`);
  }
  return a;
}

/** mulberry32: a small seeded PRNG for the byte mutations and chunk sizes. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const extended: CodecOptions = { extendedMessage: true };
const addPath: CodecOptions = { extendedMessage: true, addPath: new Set([familyKey(1, 1), familyKey(25, 70)]) };
const optionSets: readonly CodecOptions[] = [{}, extended, addPath];

/** An UPDATE whose MP_REACH (or MP_UNREACH) holds these EVPN NLRI bytes. */
function evpnUpdate(nlri: Buffer, reach: boolean): Buffer {
  const mp = reach ? Buffer.concat([Buffer.from([0, 25, 70, 4, 192, 0, 2, 1, 0]), nlri]) : Buffer.concat([Buffer.from([0, 25, 70]), nlri]);
  const attr = Buffer.concat([Buffer.from([0x90, reach ? 14 : 15, mp.length >> 8, mp.length & 0xff]), mp]);
  const attrs = reach ? Buffer.concat([Buffer.from([0x40, 1, 1, 0, 0x40, 2, 0]), attr]) : attr;
  const head = Buffer.alloc(23, 0xff);
  head.writeUInt16BE(23 + attrs.length, 16);
  head[18] = 2;
  head.writeUInt16BE(0, 19);
  head.writeUInt16BE(attrs.length, 21);
  return Buffer.concat([head, attrs]);
}

/** Flip, insert, delete or cut bytes of `b`; keep the header length honest most of the time. */
function mutateBytes(b: Buffer, rnd: () => number): Buffer {
  let out = Buffer.from(b);
  const steps = 1 + Math.floor(rnd() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(rnd() * out.length);
    const op = Math.floor(rnd() * 4);
    if (op === 0) out[at] = Math.floor(rnd() * 256);
    else if (op === 1) out = Buffer.concat([out.subarray(0, at), Buffer.from([Math.floor(rnd() * 256)]), out.subarray(at)]);
    else if (op === 2 && out.length > 19) out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    else if (op === 3 && at >= 19) out = out.subarray(0, at);
  }
  if (out.length >= 19 && rnd() < 0.8) out.writeUInt16BE(Math.min(out.length, 0xffff), 16);
  return out;
}

/** The inputs, generated in batches from the arbitraries (reproducible from the seed). */
function* inputs(args: Args): Generator<[source: string, bytes: Buffer]> {
  const rnd = prng(args.seed);
  const batch = 64;
  for (let round = 0; ; round++) {
    const seed = (args.seed + round * 7919) | 0;
    const near = fc.sample(arbMutatedMessage(extended), { seed, numRuns: batch });
    const random = fc.sample(arbRandomMessage(), { seed: seed + 1, numRuns: batch });
    const evpn = fc.sample(fc.tuple(fc.array(arbNearValidEvpnNlri(), { minLength: 1, maxLength: 8 }), fc.boolean()), { seed: seed + 2, numRuns: batch });
    const valid = fc.sample(arbMessage(extended), { seed: seed + 3, numRuns: batch });
    for (let i = 0; i < batch; i++) {
      yield ['arbMutatedMessage', near[i]!];
      yield ['arbRandomMessage', random[i]!];
      const [nlri, reach] = evpn[i]!;
      yield ['arbNearValidEvpnNlri', evpnUpdate(Buffer.concat(nlri), reach)];
      yield ['byte mutation', mutateBytes(encodeMessage(valid[i]!, extended), rnd)];
    }
  }
}

/** Outcome counts and foreign exceptions, shared by the targets. */
class Tally {
  readonly byTarget = new Map<string, { ok: number; typed: number; foreign: number }>();
  readonly byCode = new Map<string, number>();
  readonly foreign: { target: string; source: string; error: string; hex: string }[] = [];

  private row(target: string): { ok: number; typed: number; foreign: number } {
    let r = this.byTarget.get(target);
    if (r === undefined) this.byTarget.set(target, (r = { ok: 0, typed: 0, foreign: 0 }));
    return r;
  }

  code(code: number, subcode: number, how: string): void {
    const k = `${code}/${subcode} ${how}`;
    this.byCode.set(k, (this.byCode.get(k) ?? 0) + 1);
  }

  ok(target: string): void {
    this.row(target).ok++;
  }

  typed(target: string): void {
    this.row(target).typed++;
  }

  error(target: string, source: string, input: Buffer, e: unknown): void {
    if (e instanceof BgpError) {
      this.typed(target);
      this.code(e.code, e.subcode, e.action === 'session-reset' ? 'thrown' : e.action);
      return;
    }
    this.row(target).foreign++;
    const hex = input.toString('hex');
    // one line per target and input (the decoders see each input under several options)
    if (this.foreign.some((f) => f.target === target && f.hex === hex)) return;
    this.foreign.push({ target, source, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), hex });
  }
}

/** Run `f` on the input; a returned UPDATE's RFC 7606 error counts as typed. */
function run(t: Tally, target: string, source: string, input: Buffer, f: () => unknown): void {
  try {
    const r = f() as { error?: BgpError } | undefined;
    if (r?.error instanceof BgpError) t.error(target, source, input, r.error);
    else t.ok(target);
  } catch (e) {
    t.error(target, source, input, e);
  }
}

function decoders(t: Tally, source: string, input: Buffer): void {
  for (const o of optionSets) {
    run(t, 'decodeMessage', source, input, () => decodeMessage(input, o) as UpdateMessage);
    if (input.length >= 19 && input[18] === 2) run(t, 'parseUpdateRaw', source, input, () => parseUpdateRaw(input, o, 'bounds'));
  }
}

/** The framer in random chunks: every message it yields must decode or raise a BgpError. */
function framer(t: Tally, source: string, input: Buffer, rnd: () => number): void {
  run(t, 'framer', source, input, () => {
    const f = new Framer({ extendedMessage: true });
    // the input twice, so a well-framed one yields two messages across the chunk borders
    const stream = Buffer.concat([input, input]);
    for (let p = 0; p < stream.length; ) {
      const n = 1 + Math.floor(rnd() * 300);
      for (const m of f.push(stream.subarray(p, p + n))) decodeMessage(m, extended);
      p += n;
    }
    return undefined;
  });
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const t = new Tally();
  const rnd = prng(args.seed ^ 0x5bd1e995);
  const live = args.speaker ? await FuzzSpeaker.start(t) : undefined;
  const started = performance.now();
  const deadline = started + args.timeLimit * 1000;
  let n = 0;
  for (const [source, input] of inputs(args)) {
    if (n >= args.count || performance.now() > deadline) break;
    n++;
    decoders(t, source, input);
    framer(t, source, input, rnd);
    if (live !== undefined) await live.send(source, input);
  }
  const alive = live === undefined || live.alive();
  await live?.stop();
  const seconds = (performance.now() - started) / 1000;
  console.log(`fuzz: ${n} inputs in ${seconds.toFixed(1)} s (${Math.round(n / Math.max(seconds, 1e-3))} inputs/s), seed ${args.seed}`);
  console.log(`${'target'.padEnd(16)}${pad('ok', 9)}${pad('typed', 9)}${pad('foreign', 9)}`);
  for (const [k, r] of t.byTarget) console.log(`${k.padEnd(16)}${pad(r.ok, 9)}${pad(r.typed, 9)}${pad(r.foreign, 9)}`);
  console.log('errors by code/subcode:');
  for (const [k, c] of [...t.byCode].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(36)}${pad(c, 9)}`);
  if (live !== undefined) console.log(`speaker: ${live.resets} session resets, alive at the end: ${alive}`);
  console.log(`foreign exceptions: ${t.foreign.length}`);
  for (const f of t.foreign.slice(0, 20)) console.log(`  [${f.target}] ${f.error}\n    input (${f.source}): ${f.hex}`);
  return t.foreign.length > 0 || !alive ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);

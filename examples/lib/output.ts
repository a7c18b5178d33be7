/**
 * Terminal output shared by the examples: colour only on a TTY without NO_COLOR
 * (https://no-color.org), aligned tables, and `--json` mode (one JSON object per line).
 */
import type { RibRoute } from '../../src/index.js';

/** True when stdout is a terminal and NO_COLOR is unset or empty. */
export const useColor = process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '' && process.env.TERM !== 'dumb';

const sgr = (code: string) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const c = {
  bold: sgr('1'),
  dim: sgr('2'),
  red: sgr('31'),
  green: sgr('32'),
  yellow: sgr('33'),
  blue: sgr('34'),
  magenta: sgr('35'),
  cyan: sgr('36'),
};

// visible width: escape sequences take no columns
// eslint-disable-next-line no-control-regex
const width = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** An aligned text table with a header rule. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], indent = '    '): string {
  const w = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) => indent + cells.map((s, i) => s + ' '.repeat(w[i]! - width(s))).join('  ').trimEnd();
  return [line(headers.map((h) => c.bold(h))), indent + w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** One event: a JSON line in `--json` mode, otherwise the text `line` (if any). */
export class Reporter {
  readonly t0 = performance.now();
  constructor(readonly json: boolean) {}

  /** Milliseconds since start, rounded. */
  ms(): number {
    return Math.round(performance.now() - this.t0);
  }

  event(event: string, fields: Record<string, unknown>, line?: string): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ event, t: this.ms(), ...fields })}\n`);
    else if (line !== undefined) process.stdout.write(`${c.dim(`[${String(this.ms()).padStart(5)} ms]`)} ${line}\n`);
  }

  /** Free text (tables, headings): text mode only. */
  text(s: string): void {
    if (!this.json) process.stdout.write(`${s}\n`);
  }
}

/** The fields of an EVPN route worth showing: type, RD, MAC/IP or originator, VNI, next hop, MAC mobility sequence. */
export interface EvpnSummary {
  type: number;
  rd?: string;
  mac?: string;
  ip?: string;
  originator?: string;
  vni?: number;
  nextHop?: string;
  seq?: number;
  from: string;
}

/** Summarise a RibRoute of the EVPN family (any route type). */
export function evpnSummary(r: RibRoute): EvpnSummary {
  const n = r.nlri as { routeType?: number; rd?: string; mac?: string; ip?: string; originator?: string; label1?: number; prefix?: string };
  const out: EvpnSummary = { type: n.routeType ?? 0, from: r.peer };
  if (n.rd !== undefined) out.rd = n.rd;
  if (n.mac !== undefined) out.mac = n.mac;
  if (n.ip !== undefined) out.ip = n.ip;
  else if (n.prefix !== undefined) out.ip = n.prefix;
  if (n.originator !== undefined) out.originator = n.originator;
  if (n.label1 !== undefined) out.vni = n.label1;
  if (r.nextHops[0] !== undefined) out.nextHop = r.nextHops[0];
  if (out.type === 2) out.seq = 0; // no MAC Mobility community: sequence 0 (RFC 7432 15)
  for (const a of r.attributes) {
    if (a.type === 'pmsi-tunnel' && out.vni === undefined) out.vni = (a as unknown as { label: number }).label;
    if (a.type !== 'extended-communities') continue;
    for (const v of a.values) if (v.kind === 'mac-mobility') out.seq = (v as unknown as { sequence: number }).sequence;
  }
  return out;
}

/** `Type-2 aa:bb:..  10.0.0.1` etc., for one-line events. */
export function describeRoute(s: EvpnSummary): string {
  const what = s.type === 2 ? `${s.mac}${s.ip === undefined ? '' : ` ${s.ip}`}` : s.type === 3 ? `flood ${s.originator}` : (s.ip ?? '');
  return `Type-${s.type} ${what} rd ${s.rd ?? '-'} nh ${s.nextHop ?? '-'}${s.seq === undefined ? '' : ` seq ${s.seq}`}`;
}

/** Table rows for a list of EVPN routes. */
export function routeRows(routes: Iterable<RibRoute>): string[][] {
  const rows: string[][] = [];
  for (const r of routes) {
    const s = evpnSummary(r);
    rows.push([`Type-${s.type}`, s.rd ?? '-', s.mac ?? s.originator ?? '-', s.ip ?? '-', String(s.vni ?? '-'), s.nextHop ?? '-', s.seq === undefined ? '-' : String(s.seq), s.from]);
  }
  return rows.sort((a, b) => a.join().localeCompare(b.join()));
}

export const routeHeaders = ['type', 'RD', 'MAC / originator', 'IP', 'VNI', 'next hop', 'seq', 'from'] as const;

/**
 * Where each table and key of a TOML document is (1-based line numbers), so that a config
 * error can name the line of a value that parsed fine but is wrong or unsupported. The TOML
 * library reports syntax errors with their line; it does not keep positions of valid keys.
 *
 * A light scan, enough for config files: `[table]` and `[[array.of.tables]]` headers, and
 * `key = value` lines (bare, quoted and dotted keys) inside them. Paths are written as the
 * validator writes them: `neighbors[1].timers.config.hold-time`.
 */

/** path → line. Tables are recorded under their own path, keys under `table.key`. */
export type LineMap = ReadonlyMap<string, number>;

const header = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;
const keyLine = /^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/;

/** Split a dotted key into its parts (quotes removed). */
function keyParts(text: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) parts.push(m[1] ?? m[2] ?? m[3]!);
  return parts;
}

export function scanLines(source: string): LineMap {
  const lines = new Map<string, number>();
  /** unresolved dotted path of an array of tables → how many elements so far, per resolved parent */
  const arrays = new Set<string>();
  const counts = new Map<string, number>();
  let table = '';
  let inMultiline: string | undefined;
  const text = source.split(/\r?\n/);
  for (let i = 0; i < text.length; i++) {
    const line = text[i]!;
    if (inMultiline !== undefined) {
      if (line.includes(inMultiline)) inMultiline = undefined;
      continue;
    }
    const h = header.exec(line);
    if (h !== null) {
      const parts = keyParts(h[2]!);
      const isArray = h[1] === '[[';
      let resolved = '';
      for (let j = 0; j < parts.length; j++) {
        const raw = parts.slice(0, j + 1).join('.');
        resolved = resolved === '' ? parts[j]! : `${resolved}.${parts[j]!}`;
        const last = j === parts.length - 1;
        if (last && isArray) {
          arrays.add(raw);
          const n = counts.get(resolved) ?? 0;
          counts.set(resolved, n + 1);
          resolved = `${resolved}[${n}]`;
        } else if (arrays.has(raw)) {
          resolved = `${resolved}[${Math.max(0, (counts.get(resolved) ?? 1) - 1)}]`;
        }
        // implicit parent tables (and an array of tables as a whole) are where they first appear
        if (!lines.has(resolved)) lines.set(resolved, i + 1);
        if (last && isArray && !lines.has(resolved.replace(/\[\d+\]$/, ''))) lines.set(resolved.replace(/\[\d+\]$/, ''), i + 1);
      }
      table = resolved;
      continue;
    }
    const k = keyLine.exec(line);
    if (k === null) continue;
    const path = [table, ...keyParts(k[1]!)].filter((x) => x !== '').join('.');
    if (!lines.has(path)) lines.set(path, i + 1);
    // a multi-line string or array: skip its continuation lines (they hold no keys)
    const rest = line.slice(k[0].length);
    const quote = /"""|'''/.exec(rest);
    if (quote !== null && rest.indexOf(quote[0], quote.index + 3) < 0) inMultiline = quote[0];
  }
  return lines;
}

/** The line of a path, or of the nearest enclosing table that has one. */
export function lineOf(lines: LineMap, path: string): number | undefined {
  let p = path;
  for (;;) {
    const n = lines.get(p);
    if (n !== undefined) return n;
    const dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (dot <= 0) return undefined;
    p = p.slice(0, dot);
  }
}

/**
 * The structure check (`npm run check:structure`, run by .ci/run before the tests):
 *
 * 1. the import rules of .dependency-cruiser.cjs (DESIGN.md §1): no circle between files,
 *    type-only imports included; no import from a lower layer to a higher one;
 * 2. no circle between folders: every folder is one node (a folder's own files that lie beside
 *    subfolders, like src/bgp/speaker.ts or src/index.ts, are nodes of their own), checked once
 *    at that level and once with every layer (src/<layer>) collapsed to one node;
 * 3. no file in src/ over 400 lines without a `// size: <reason>` comment in its first 3 lines.
 *
 *   npx tsx scripts/structure.ts [root]   # root: a tree with a src/ folder (default: this repo)
 *
 * dependency-cruiser checks files; folder circles it cannot see (its `--collapse` reporters only
 * draw them), so (2) is done here on its JSON output.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(repo, '.dependency-cruiser.cjs');
const cruiser = join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** Longest file in src/ without a `// size: <reason>` comment. */
export const maxLines = 400;

interface Dependency {
  readonly resolved: string;
}
interface Module {
  readonly source: string;
  readonly dependencies: readonly Dependency[];
}
interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
  readonly cycle?: readonly ({ readonly name: string } | string)[];
}
interface Cruise {
  readonly modules: readonly Module[];
  readonly summary: {
    readonly violations: readonly Violation[];
    readonly ruleSetUsed?: { readonly forbidden?: readonly { readonly name: string; readonly comment?: string }[] };
  };
}

/** Every problem found under `root` (empty: the structure holds). */
export function checkStructure(root: string = repo): string[] {
  const cruise = runCruiser(root);
  return [...ruleViolations(cruise), ...folderCircles(cruise.modules), ...longFiles(root)];
}

function runCruiser(root: string): Cruise {
  const r = spawnSync(process.execPath, [cruiser, 'src', '--config', config, '--output-type', 'json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // the exit code is the number of errors found; the JSON is there either way
  try {
    return JSON.parse(r.stdout) as Cruise;
  } catch {
    throw new Error(`dependency-cruiser failed (exit ${r.status}): ${r.stderr || r.error?.message || 'no output'}`);
  }
}

function ruleViolations(cruise: Cruise): string[] {
  const comments = new Map((cruise.summary.ruleSetUsed?.forbidden ?? []).map((r) => [r.name, r.comment ?? '']));
  return cruise.summary.violations.map((v) => {
    const path = v.cycle === undefined ? `${v.from} → ${v.to}` : [v.from, ...v.cycle.map((c) => (typeof c === 'string' ? c : c.name))].join(' → ');
    const why = comments.get(v.rule.name);
    return `${v.rule.name}: ${path}${why ? `\n    (${why})` : ''}`;
  });
}

/** Folder circles, at the folder level and at the layer level. */
export function folderCircles(modules: readonly Module[]): string[] {
  const ours = modules.filter((m) => m.source.startsWith('src/'));
  const parents = new Set<string>();
  for (const m of ours) for (let d = dirname(dirname(m.source)); d !== '.' && d !== ''; d = dirname(d)) parents.add(d);
  // a folder's own files beside its subfolders (src/index.ts, src/bgp/speaker.ts) stand alone
  const folder = (file: string): string => (parents.has(dirname(file)) ? file : `${dirname(file)}/`);
  const layer = (file: string): string => {
    const parts = file.split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : file;
  };
  return [...circles(ours, folder, 'folder circle'), ...circles(ours, layer, 'layer circle')];
}

/** Strongly connected components of the graph of `node(file)`s with more than one node. */
function circles(modules: readonly Module[], node: (file: string) => string, what: string): string[] {
  const edges = new Map<string, Map<string, string>>();
  for (const m of modules) {
    const a = node(m.source);
    for (const d of m.dependencies) {
      if (!d.resolved.startsWith('src/')) continue;
      const b = node(d.resolved);
      if (a === b) continue;
      let out = edges.get(a);
      if (out === undefined) edges.set(a, (out = new Map()));
      // one import that makes the edge, to name in the report
      if (!out.has(b)) out.set(b, `${m.source} → ${d.resolved}`);
    }
  }
  const found: string[] = [];
  for (const scc of tarjan(edges)) {
    if (scc.length < 2) continue;
    const inside = new Set(scc);
    const why: string[] = [];
    for (const a of scc) for (const [b, via] of edges.get(a) ?? []) if (inside.has(b)) why.push(`\n    ${a} → ${b}  (${via})`);
    found.push(`${what}: ${scc.sort().join(' ↔ ')}${why.sort().join('')}`);
  }
  return found;
}

/** Tarjan's strongly connected components (iterative: no recursion depth limit). */
function tarjan(edges: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const nodes = new Set<string>();
  for (const [a, out] of edges) {
    nodes.add(a);
    for (const b of out.keys()) nodes.add(b);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; children: string[]; i: number }[] = [];
    const open = (n: string): void => {
      index.set(n, next);
      low.set(n, next++);
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, children: [...(edges.get(n)?.keys() ?? [])], i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.children.length) {
        const c = top.children[top.i++]!;
        if (!index.has(c)) open(c);
        else if (onStack.has(c)) low.set(top.node, Math.min(low.get(top.node)!, index.get(c)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          scc.push(n);
        } while (n !== top.node);
        out.push(scc);
      }
    }
  }
  return out;
}

/** Files in `root`/src over `maxLines` lines without a `// size: <reason>` comment at the top. */
export function longFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(e.name)) {
        const text = readFileSync(path, 'utf8');
        const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
        if (lines <= maxLines) continue;
        const top = text.split('\n', 3);
        // a reason, not just the tag: at least a few words
        if (top.some((l) => /^\/\/ size: \S.{9,}/.test(l))) continue;
        found.push(`long file: ${relative(root, path)} has ${lines} lines (over ${maxLines}): split it by job, or say why not in a '// size: <reason>' comment in its first 3 lines`);
      }
    }
  };
  walk(join(root, 'src'));
  return found.sort();
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? repo);
  const problems = checkStructure(root);
  for (const p of problems) console.error(`✗ ${p}`);
  if (problems.length > 0) {
    console.error(`structure: ${problems.length} problem(s) in ${root}/src (rules: .dependency-cruiser.cjs, scripts/structure.ts)`);
    process.exit(1);
  }
  console.log(`structure: ok (no file or folder circle, no upward import, no file over ${maxLines} lines without a reason)`);
}

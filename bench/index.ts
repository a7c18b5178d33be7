/**
 * `npm run bench [filter...]`: imports every bench/*.bench.ts that exports
 * `async function run(): Promise<Row[]>`, runs those whose name matches a filter (all when
 * none is given) one after the other, and prints one table.
 * Bench files without a `run` export are standalone scripts: listed, not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTable, type Row } from './harness.js';

const dir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

const rows: Row[] = [];
const standalone: string[] = [];
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '');
  if (filters.length > 0 && !filters.some((x) => name.includes(x))) continue;
  // import only modules that declare a run(): the others run their work on import
  if (!/export\s+(async\s+)?function\s+run\s*\(/.test(readFileSync(join(dir, f), 'utf8'))) {
    standalone.push(f);
    continue;
  }
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run?: () => Promise<Row[]> };
  if (typeof mod.run !== 'function') {
    standalone.push(f);
    continue;
  }
  process.stderr.write(`running ${name}...\n`);
  for (const r of await mod.run()) rows.push({ ...r, bench: r.bench ?? name });
}

printTable(rows);
if (standalone.length > 0) console.log(`\nstandalone (run with tsx directly): ${standalone.join(', ')}`);

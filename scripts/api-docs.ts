/**
 * docs/API.md from the TSDoc of the public entry points, with the TypeScript compiler API
 * (no typedoc needed). One section per subpath export; per symbol its kind, signature and doc
 * comment; classes and interfaces with their public members.
 *
 *   npx tsx scripts/api-docs.ts            # write docs/API.md
 *   npx tsx scripts/api-docs.ts --check    # exit 1 when docs/API.md is out of date
 *   npx tsx scripts/api-docs.ts --stdout   # print instead of writing
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const entries = [
  { subpath: 'bgp-evpn/bgp', file: 'src/bgp/index.ts' },
  { subpath: 'bgp-evpn/evpn', file: 'src/evpn/index.ts' },
  { subpath: 'bgp-evpn/vtep', file: 'src/vtep/index.ts' },
  { subpath: 'bgp-evpn/dataplane', file: 'src/dataplane/index.ts' },
  { subpath: 'bgp-evpn/testing', file: 'src/testing/index.ts' },
  { subpath: 'bgp-evpn/api', file: 'src/api/index.ts' },
] as const;

const program = ts.createProgram(entries.map((e) => join(root, e.file)), {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const cap = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function doc(sym: ts.Symbol): string {
  const text = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
  const tags = sym.getJsDocTags(checker).filter((t) => t.name === 'deprecated' || t.name === 'example');
  return [text, ...tags.map((t) => `*@${t.name}* ${ts.displayPartsToString(t.text ?? [])}`)].filter((s) => s.length > 0).join('\n\n');
}

const isInternal = (sym: ts.Symbol) => sym.getJsDocTags(checker).some((t) => t.name === 'internal');
const isPrivate = (d: ts.Declaration) => {
  const m = ts.getCombinedModifierFlags(d);
  return (m & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || (ts.isPropertyDeclaration(d) || ts.isMethodDeclaration(d)) && ts.isPrivateIdentifier(d.name);
};

function members(sym: ts.Symbol, decl: ts.Declaration): string[] {
  const out: string[] = [];
  const type = ts.isClassDeclaration(decl) ? checker.getDeclaredTypeOfSymbol(sym) : checker.getDeclaredTypeOfSymbol(sym);
  if (ts.isClassDeclaration(decl)) {
    const ctor = checker.getTypeOfSymbolAtLocation(sym, decl).getConstructSignatures()[0];
    if (ctor !== undefined && ctor.getParameters().length > 0) {
      out.push(`- \`new ${sym.name}(${ctor.getParameters().map((p) => `${p.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, decl), decl, flags)}`).join(', ')})\``);
    }
  }
  for (const m of type.getProperties()) {
    const d = m.valueDeclaration ?? m.declarations?.[0];
    if (d === undefined || isPrivate(d) || isInternal(m) || m.name.startsWith('_')) continue;
    // members inherited from EventEmitter etc. are documented elsewhere
    if (d.getSourceFile().fileName.includes('node_modules')) continue;
    const t = checker.getTypeOfSymbolAtLocation(m, decl);
    const sigs = t.getCallSignatures();
    const isMethod = ts.isMethodDeclaration(d) || ts.isMethodSignature(d);
    const text = isMethod && sigs.length > 0
      ? `${m.name}${checker.signatureToString(sigs[0]!, decl, flags)}`
      : `${ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly ? 'readonly ' : ''}${m.name}${m.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${checker.typeToString(t, decl, flags)}`;
    const dm = oneLine(doc(m));
    out.push(`- \`${cap(oneLine(text), 220)}\`${dm ? ` — ${dm}` : ''}`);
  }
  return out;
}

function describe(sym: ts.Symbol): { kind: string; signature: string; body: string[] } | undefined {
  const decl = sym.valueDeclaration ?? sym.declarations?.[0];
  if (decl === undefined) return undefined;
  if (ts.isClassDeclaration(decl)) {
    const heritage = decl.heritageClauses?.map((h) => oneLine(h.getText())).join(' ') ?? '';
    return { kind: 'class', signature: `class ${sym.name}${heritage ? ` ${heritage}` : ''}`, body: members(sym, decl) };
  }
  if (ts.isInterfaceDeclaration(decl)) return { kind: 'interface', signature: `interface ${sym.name}`, body: members(sym, decl) };
  if (ts.isTypeAliasDeclaration(decl)) return { kind: 'type', signature: cap(oneLine(decl.getText()).replace(/^export /, ''), 400), body: [] };
  if (ts.isFunctionDeclaration(decl)) {
    const sigs = checker.getTypeOfSymbolAtLocation(sym, decl).getCallSignatures();
    return { kind: 'function', signature: sigs.map((s) => `function ${sym.name}${checker.signatureToString(s, decl, flags)}`).join('\n'), body: [] };
  }
  if (ts.isVariableDeclaration(decl)) {
    const t = checker.getTypeOfSymbolAtLocation(sym, decl);
    const sigs = t.getCallSignatures();
    if (sigs.length > 0 && ts.isArrowFunction(decl.initializer ?? decl)) {
      return { kind: 'function', signature: `const ${sym.name}: ${cap(checker.typeToString(t, decl, flags), 300)}`, body: [] };
    }
    return { kind: 'const', signature: `const ${sym.name}: ${cap(oneLine(checker.typeToString(t, decl, flags)), 300)}`, body: [] };
  }
  if (ts.isEnumDeclaration(decl)) return { kind: 'enum', signature: `enum ${sym.name}`, body: [] };
  return undefined;
}

const lines: string[] = [
  '# bgp-evpn API',
  '',
  'Generated from the TSDoc comments of the public entry points by `npx tsx scripts/api-docs.ts`',
  '(do not edit by hand). The root entry `bgp-evpn` re-exports `bgp`, `evpn`, `vtep` and',
  '`dataplane`; `bgp-evpn/testing` (fast-check generators) is separate and needs `fast-check`.',
  '',
];
const toc: string[] = [];
const sections: string[] = [];
for (const e of entries) {
  const sf = program.getSourceFile(join(root, e.file));
  if (sf === undefined) throw new Error(`cannot read ${e.file}`);
  const mod = checker.getSymbolAtLocation(sf);
  if (mod === undefined) continue;
  const exported = checker.getExportsOfModule(mod)
    .map((s) => ({ name: s.name, sym: s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s }))
    .filter((x) => !isInternal(x.sym))
    .sort((a, b) => a.name.localeCompare(b.name));
  const anchor = e.subpath.replace(/[^a-z0-9]+/g, '-');
  toc.push(`- [\`${e.subpath}\`](#${anchor}) (${exported.length} exports)`);
  const head = /^\s*\/\*\*([\s\S]*?)\*\//.exec(sf.text)?.[1] ?? '';
  const moduleDoc = head.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
  sections.push('', `## \`${e.subpath}\` <a id="${anchor}"></a>`, '', `Source: [${e.file}](../${e.file})`, '');
  if (moduleDoc) sections.push(moduleDoc, '');
  const byKind = new Map<string, string[]>();
  for (const { name, sym } of exported) {
    const d = describe(sym);
    if (d === undefined) continue;
    const text = doc(sym);
    const block = [`#### \`${name}\` (${d.kind})`, '', '```ts', d.signature, '```', ...(text ? ['', text] : []), ...(d.body.length > 0 ? ['', ...d.body] : []), ''];
    byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), ...block]);
  }
  for (const kind of ['class', 'function', 'interface', 'type', 'const', 'enum']) {
    const b = byKind.get(kind);
    if (b === undefined) continue;
    sections.push(`### ${kind === 'class' ? 'Classes' : kind === 'function' ? 'Functions' : kind === 'interface' ? 'Interfaces' : kind === 'type' ? 'Types' : kind === 'const' ? 'Constants' : 'Enums'}`, '', ...b);
  }
}
const md = [...lines, ...toc, ...sections].join('\n').replace(/\n{3,}/g, '\n\n') + '\n';

const target = join(root, 'docs/API.md');
if (process.argv.includes('--stdout')) {
  process.stdout.write(md);
} else if (process.argv.includes('--check')) {
  const now = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (now !== md) {
    process.stderr.write('docs/API.md is out of date: run npx tsx scripts/api-docs.ts\n');
    process.exit(1);
  }
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, md);
  process.stdout.write(`wrote docs/API.md (${md.length} bytes)\n`);
}

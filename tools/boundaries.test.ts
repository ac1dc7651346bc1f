/**
 * The workspace's layering, enforced from the Nx tags in each package.json (`nx.tags`):
 *
 *     core, native ← kernels ← cells ← attention, memory ← pipelines (text, speech, vision, video) ← apps
 *                                                          pipelines ← experiments ← apps
 *     core ← ws ← web, apps   (the transport knows no model kinds: io adapters come from core and the pipelines)
 *
 * Experiments (the variant study, the long-dependency tasks) sit on the side: they may use core,
 * kernels, cells and the pipelines, and only apps (and tools/) use them.
 *
 * Checked two ways: the project graph Nx itself computes (`nx graph --file`), and the `@rxrnn/*`
 * imports actually written in each package's source, which must also be declared in its
 * package.json (or a packed package would not install). Also: only @rxrnn/ws and apps import `ws`,
 * and the kernels know no cells: no @rxrnn/kernels source imports @rxrnn/cells, names a cell kind or
 * the Cell type (each cell family owns its fused path, in @rxrnn/cells, chosen by one registry).
 * And no package's modules import each other in a circle (type-only imports included).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync, existsSync, mkdtempSync } from 'node:fs';
import { join, resolve, dirname, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';

const root = join(import.meta.dirname, '..');

/** Which scopes a scope may depend on at run time. */
const allowed: Record<string, string[]> = {
  'scope:core': [],
  'scope:native': [], // @rxrnn/kernels-native: C, no imports
  'scope:testing': ['scope:core'],
  'scope:cells': ['scope:core', 'scope:kernels'],
  'scope:kernels': ['scope:core', 'scope:native'],
  'scope:attention': ['scope:core', 'scope:kernels', 'scope:cells'],
  'scope:memory': ['scope:core', 'scope:kernels', 'scope:cells', 'scope:attention'],
  'scope:pipeline': ['scope:core', 'scope:kernels', 'scope:cells', 'scope:attention', 'scope:memory', 'scope:pipeline'],
  'scope:experiments': ['scope:core', 'scope:kernels', 'scope:cells', 'scope:pipeline'],
  'scope:ws': ['scope:core'],
  'scope:web': ['scope:core', 'scope:ws'], // @rxrnn/web: the demo page, served by apps/server
  'scope:app': ['scope:core', 'scope:kernels', 'scope:cells', 'scope:attention', 'scope:memory', 'scope:pipeline', 'scope:ws', 'scope:web', 'scope:experiments', 'scope:testing'],
};

interface Pkg {
  dir: string;
  name: string;
  scope: string;
  deps: Set<string>;
  devDeps: Set<string>;
}

function packages(): Pkg[] {
  const out: Pkg[] = [];
  for (const group of ['packages', 'apps']) {
    for (const d of readdirSync(join(root, group))) {
      const file = join(root, group, d, 'package.json');
      if (!existsSync(file)) continue;
      const pj = JSON.parse(readFileSync(file, 'utf8'));
      const scope = (pj.nx?.tags ?? []).find((t: string) => t.startsWith('scope:'));
      out.push({
        dir: join(root, group, d),
        name: pj.name,
        scope,
        deps: new Set([...Object.keys(pj.dependencies ?? {}), ...Object.keys(pj.peerDependencies ?? {}), ...Object.keys(pj.optionalDependencies ?? {})]),
        devDeps: new Set(Object.keys(pj.devDependencies ?? {})),
      });
    }
  }
  return out;
}

/** The TypeScript files under `dir`/src (or under `dir` itself with `whole`). */
function sources(dir: string, whole = false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (f === 'node_modules' || f === 'dist' || f === 'public') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts)$/.test(f)) out.push(p);
    }
  };
  const start = whole ? dir : join(dir, 'src');
  if (existsSync(start)) walk(start);
  return out;
}

/** Test code: a `*.test.ts` file, or a helper only tests load (it imports vitest, or is a page tests bundle for a browser). */
const isTestCode = (file: string) => file.endsWith('.test.ts') || file.endsWith('browser-page.ts') || /from\s+['"]vitest['"]/.test(readFileSync(file, 'utf8'));

const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** A source file without its comments (doc comments hold examples that import other packages). */
const code = (file: string): string => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

describe('workspace boundaries', () => {
  const pkgs = packages();
  const byName = new Map(pkgs.map((p) => [p.name, p]));

  it('every project has exactly one known scope tag', () => {
    for (const p of pkgs) expect(Object.keys(allowed), `${p.name} has tag ${p.scope}`).toContain(p.scope);
  });

  it('imports follow the layering and are declared in package.json', () => {
    const problems: string[] = [];
    for (const p of pkgs) {
      for (const file of sources(p.dir)) {
        const isTest = isTestCode(file);
        const text = code(file); // imports only
        for (const m of text.matchAll(importRe)) {
          const spec = m[1] ?? m[2];
          const rel = file.slice(root.length + 1);
          if (spec === 'ws' && p.scope !== 'scope:ws' && p.scope !== 'scope:app') problems.push(`${rel} imports ws (only @rxrnn/ws and apps may)`);
          if (!spec.startsWith('@rxrnn/')) continue;
          const target = byName.get(spec.split('/').slice(0, 2).join('/'));
          if (!target) {
            problems.push(`${rel} imports unknown ${spec}`);
            continue;
          }
          if (target.name === p.name) continue;
          if (isTest) {
            // Core's own tests use @rxrnn/testing without declaring it: testing depends on core,
            // and a devDependency back would make a cycle in the build graph.
            if (p.name === '@rxrnn/core' && target.name === '@rxrnn/testing') continue;
            if (!p.deps.has(target.name) && !p.devDeps.has(target.name)) problems.push(`${rel}: test imports ${target.name}, not in ${p.name}'s dependencies or devDependencies`);
            continue;
          }
          if (!allowed[p.scope]?.includes(target.scope)) problems.push(`${rel}: ${p.scope} may not import ${target.name} (${target.scope})`);
          if (!p.deps.has(target.name)) problems.push(`${rel} imports ${target.name}, not declared in ${p.name}'s dependencies`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the kernels know no cells: no kernels source imports @rxrnn/cells, chooses by a cell kind or names the Cell type', async () => {
    const { cellKinds } = await import('@rxrnn/cells');
    const kinds = cellKinds();
    expect(kinds).toContain('lstm');
    const kernels = byName.get('@rxrnn/kernels')!;
    const files = sources(kernels.dir);
    expect(files.length).toBeGreaterThan(3);
    const problems: string[] = [];
    for (const file of files) {
      const rel = file.slice(root.length + 1);
      const text = code(file);
      for (const m of text.matchAll(importRe)) if ((m[1] ?? m[2]).startsWith('@rxrnn/cells')) problems.push(`${rel} imports ${m[1] ?? m[2]}`);
      // A cell kind used to choose a path (`case 'lstm'`, `kind === 'gru'`); names of the kernels' own files (`module: 'lstm'`) are fine.
      for (const kind of kinds) if (new RegExp(`(case\\s+|[!=]==?\\s*)['"\`]${kind.replace(/[-]/g, '\\-')}['"\`]`).test(text)) problems.push(`${rel} chooses by the cell kind '${kind}'`);
      if (/\.kind\b/.test(text) && !isTestCode(file)) problems.push(`${rel} reads a kind`); // (tests may read their own descriptors' kinds)
      if (/\bCell\b/.test(text)) problems.push(`${rel} names the Cell type`);
    }
    expect(problems).toEqual([]);
  });

  it('no package has an import cycle among its own modules (type-only imports count: a newcomer reads them as arrows too)', () => {
    const cycles: string[] = [];
    for (const p of pkgs) {
      const files = sources(p.dir).filter((f) => !isTestCode(f));
      const known = new Set(files);
      const edges = new Map<string, string[]>();
      for (const f of files) {
        const to: string[] = [];
        for (const m of code(f).matchAll(importRe)) {
          const spec = m[1] ?? m[2];
          if (!spec.startsWith('.')) continue;
          const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
          if (known.has(target)) to.push(target);
        }
        edges.set(f, to);
      }
      // Depth-first search; a grey module met again closes a cycle.
      const colour = new Map<string, 'grey' | 'black'>();
      const path: string[] = [];
      const visit = (f: string): void => {
        colour.set(f, 'grey');
        path.push(f);
        for (const t of edges.get(f) ?? []) {
          if (colour.get(t) === 'grey') cycles.push([...path.slice(path.indexOf(t)), t].map((x) => relative(root, x)).join(' → '));
          else if (!colour.has(t)) visit(t);
        }
        path.pop();
        colour.set(f, 'black');
      };
      for (const f of files) if (!colour.has(f)) visit(f);
    }
    expect(cycles).toEqual([]);
  });

  it('every other package imported is declared: in dependencies for sources, or devDependencies (the workspace root\'s too) for tests', () => {
    const rootDev = new Set(Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies ?? {}));
    const problems: string[] = [];
    for (const p of pkgs) {
      for (const file of sources(p.dir)) {
        const isTest = isTestCode(file);
        const text = code(file);
        for (const m of text.matchAll(importRe)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('@rxrnn/') || builtinModules.includes(spec)) continue; // @rxrnn/*: above
          const name = spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
          if (name === p.name || p.deps.has(name) || (isTest && (p.devDeps.has(name) || rootDev.has(name)))) continue;
          problems.push(`${file.slice(root.length + 1)} imports ${name}, not declared in ${p.name}'s ${isTest ? 'dependencies or devDependencies' : 'dependencies'}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("tools/ imports packages by name, never the files of apps or packages", () => {
    const tools = join(root, 'tools');
    const problems: string[] = [];
    for (const file of sources(tools, true)) {
      const text = code(file);
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('.') && relative(tools, resolve(dirname(file), spec)).startsWith('..')) problems.push(`${relative(root, file)} imports ${spec}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the project graph Nx computes respects the tags', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rxrnn-graph-')), 'graph.json');
    execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${out}`], { cwd: root, stdio: 'ignore' });
    const graph = JSON.parse(readFileSync(out, 'utf8')).graph as { dependencies: Record<string, { target: string; type: string }[]> };
    const problems: string[] = [];
    for (const [from, edges] of Object.entries(graph.dependencies)) {
      const a = byName.get(from);
      if (!a) continue;
      for (const e of edges) {
        const b = byName.get(e.target);
        if (!b || a.devDeps.has(b.name)) continue;
        if (!allowed[a.scope]?.includes(b.scope)) problems.push(`${from} → ${e.target}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

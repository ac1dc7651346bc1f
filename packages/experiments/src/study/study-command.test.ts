import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { registerStudy, runStudyVariants } from './study-command.js';

describe('rxrnn study variants', () => {
  it('--quick on 2 variants × 1 seed writes well-formed results, report and plot; --from rebuilds the report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rxrnn-study-'));
    const files = await runStudyVariants({ quick: true, variants: ['V', 'GRU'], seeds: 1, steps: 2, out, name: 'variants', progress: false }, 'rxrnn study variants --quick');
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['variants.json', 'variants.md', 'variants.png', 'variants.svg']);
    const doc = JSON.parse(readFileSync(join(out, 'variants.json'), 'utf8'));
    expect(doc.format).toBe('rxrnn.variant-study');
    expect(doc.parts).toHaveLength(1);
    const part = doc.parts[0];
    expect(part.partial).toBe(false);
    expect(part.command).toBe('rxrnn study variants --quick');
    expect(part.config).toMatchObject({ variants: ['V', 'GRU'], tasks: ['char', 'adding'], seeds: 1, steps: 2, hidden: 8 });
    expect(part.runs).toHaveLength(4);
    for (const r of part.runs) {
      expect(['V', 'GRU']).toContain(r.variant);
      expect(typeof r.metric).toBe('number');
      expect(r.metric).toBeGreaterThan(0);
      expect(r.params).toBeGreaterThan(0);
    }
    const md = readFileSync(join(out, 'variants.md'), 'utf8');
    expect(md).toContain('Complete: 4 runs.');
    expect(md).toMatch(/^\| V \| vanilla LSTM/m);
    expect(md).toMatch(/^\| GRU \| gated recurrent unit/m);
    expect(md).toContain('![Held-out loss per variant');
    const svg = readFileSync(join(out, 'variants.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('GRU');
    const png = readFileSync(join(out, 'variants.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');

    // The report again from the saved results, without training.
    const out2 = join(out, 'again');
    await runStudyVariants({ from: [join(out, 'variants.json')], out: out2, name: 'merged', plot: false }, 'rxrnn study variants --from x.json');
    const md2 = readFileSync(join(out2, 'merged.md'), 'utf8');
    expect(md2).toContain('This report (tables, plot) from the saved results: `rxrnn study variants --from x.json`');
    expect(md2.split('## Results')[1]).toBe(md.split('## Results')[1].replaceAll('variants.png', 'merged.png'));
    expect(existsSync(join(out2, 'merged.png'))).toBe(false);
  });

  it('registers `study variants` with its options', () => {
    const program = new Command('rxrnn');
    registerStudy(program);
    const study = program.commands.find((c) => c.name() === 'study')!;
    const variants = study.commands.find((c) => c.name() === 'variants')!;
    const flags = variants.options.map((o) => o.long);
    for (const f of ['--quick', '--seeds', '--steps', '--out', '--variants', '--tasks', '--from']) expect(flags).toContain(f);
  });
});

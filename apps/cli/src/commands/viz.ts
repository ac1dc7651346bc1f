/**
 * `rxrnn viz --model <dir> --text <file|-> --out <dir>`: the visualisations of Karpathy, Johnson &
 * Fei-Fei (2016) for a char model — cell-activation heatmaps of the cells that best track quotes,
 * line position and parentheses (or a character class you name), and the gate-saturation scatter
 * plot — written to <out>/index.html with PNGs beside it (see `vizReport` in @rxrnn/text).
 *
 * ```ts
 * import { Command } from 'commander';
 * import { registerViz } from './commands/viz.js';
 * const program = new Command('rxrnn');
 * registerViz(program);
 * await program.parseAsync(); // rxrnn viz --model models/char-rnn --text chapter.txt --out viz/
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { initBackend, rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { loadCharModel, vizReport, defaultFeatures, predicateFeature, type TextFeature } from '@rxrnn/text';

export interface VizCommandOptions {
  model: string;
  text: string;
  out: string;
  topK: string;
  maxChars: string;
  heatmapChars: string;
  chars?: string[];
}

/** Add the `viz` command to `program`. */
export function registerViz(program: Command): Command {
  return program
    .command('viz')
    .description('Visualise a char model: cell heatmaps over text and gate saturation (Karpathy et al. 2016)')
    .requiredOption('--model <dir>', 'model directory (model.json + weights.safetensors, io kind "char")')
    .requiredOption('--text <file|->', 'text to run the model over (- reads stdin)')
    .requiredOption('--out <dir>', 'output directory (index.html, PNGs, report.json)')
    .option('--top-k <n>', 'cells shown per feature', '3')
    .option('--max-chars <n>', 'characters traced (statistics use all of them)', '10000')
    .option('--heatmap-chars <n>', 'characters shown per heatmap', '1200')
    .option('--chars <set...>', 'extra features: one per character set, 1 where the character is in the set (e.g. --chars aeiou 0123456789)')
    .action(async (o: VizCommandOptions) => {
      const summary = await runViz(o);
      process.stdout.write(summary);
    });
}

/** The command's work, callable from tests: returns the summary it prints. */
export async function runViz(o: VizCommandOptions): Promise<string> {
  const fn = 'rxrnn viz';
  const int = (arg: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'a positive integer', describe(v));
    return n;
  };
  const topK = int('--top-k', o.topK);
  const maxChars = int('--max-chars', o.maxChars);
  const heatmapChars = int('--heatmap-chars', o.heatmapChars);
  const features: TextFeature[] = defaultFeatures();
  (o.chars ?? []).forEach((set, k) => {
    features.push(predicateFeature(`chars-${k + 1}`, (c) => set.includes(c), `character in ${JSON.stringify(set)}`));
  });
  const text = o.text === '-' ? await readStdin() : await readFile(o.text, 'utf8');
  if (text.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, '--text', 'a non-empty text', 'an empty text');
  await initBackend({ log: null });
  const model = loadCharModel(o.model);
  try {
    // Characters outside the vocabulary are dropped (the model cannot read them) unless it has an unknown token.
    const known = model.codec.unknownId === null ? Array.from(text).filter((c) => model.codec.chars.includes(c)).join('') : text;
    const res = await vizReport({ model: { ...model, name: model.meta.name }, text: known, outDir: o.out, features, topK, maxChars, heatmapChars });
    const lines = [`rxrnn viz: ${res.steps} characters through ${model.meta.name}; wrote ${res.files.length} files to ${o.out} (open index.html)`];
    for (const s of res.searches) lines.push(`  ${s.feature}: ${s.top.map((c) => `L${c.layer}/${c.unit} r=${c.r.toFixed(3)}`).join(', ')}${s.constant ? ' (constant over this text)' : ''}`);
    for (const g of res.saturation) lines.push(`  layer ${g.layer} gate ${g.gate}: mean fraction left-saturated ${g.meanLeft.toFixed(3)}, right-saturated ${g.meanRight.toFixed(3)}`);
    return lines.join('\n') + '\n';
  } finally {
    model.cell.dispose();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `rxrnn translate --model <dir> [--text …] [--beam k] [--align [file.svg]]`: translate with an
 * `rxrnn.seq2seq/1` model (e.g. models/dates). The source is `--text` or each line of stdin; tokens
 * are printed as they are committed, then the line ends. `--align` prints each token's attention
 * peak (the source character it looked at most), or with a file name ending in .svg writes the
 * alignment heatmap of the (last) translation there.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { initBackend, type JsonObject, type SessionIo } from '@rxrnn/core';
import { loadTranslator, alignmentSvg } from '@rxrnn/text';
import { int } from '../arguments.js';

interface TokenMsg {
  token?: { id: number; text: string; position: number };
  extras?: { attention: number[] };
  final?: { text: string; score: number };
}

async function translateOne(io: SessionIo, text: string, align: boolean | string): Promise<{ rows: number[][]; pieces: string[]; final: string }> {
  const rows: number[][] = [];
  const pieces: string[] = [];
  let final = '';
  const ctx = { fn: 'translate', admit: () => undefined };
  await new Promise<void>((resolve, reject) => {
    io.run({ text }, ctx, { y: false, extras: align ? true : null }).subscribe({
      next: (f: JsonObject) => {
        const m = f as TokenMsg;
        if (m.token) {
          process.stdout.write(m.token.text);
          pieces.push(m.token.text);
          if (m.extras) rows.push(m.extras.attention);
        }
        if (m.final) final = m.final.text;
      },
      error: reject,
      complete: resolve,
    });
  });
  process.stdout.write('\n');
  if (align === true) {
    const src = Array.from(text);
    for (const [i, row] of rows.entries()) {
      const j = row.indexOf(Math.max(...row));
      process.stdout.write(`  ${JSON.stringify(pieces[i])} ← ${JSON.stringify(src[j])} @${j} (${row[j].toFixed(2)})\n`);
    }
  }
  return { rows, pieces, final };
}

async function translateCommand(o: { model: string; text?: string; beam: number; align?: boolean | string }): Promise<void> {
  await initBackend({ log: null });
  const { model, adapter } = await loadTranslator(o.model);
  try {
    const io = adapter.open({ beam: o.beam }, { fn: 'translate', admit: () => undefined });
    const align = o.align ?? false;
    const texts: string[] = [];
    if (o.text !== undefined) texts.push(o.text);
    else for await (const line of createInterface({ input: process.stdin })) if (line.trim() !== '') texts.push(line);
    let last: { rows: number[][]; pieces: string[]; text: string } | null = null;
    for (const text of texts) {
      const r = await translateOne(io, text, align === true || typeof align === 'string');
      last = { rows: r.rows, pieces: r.pieces, text };
    }
    if (typeof align === 'string' && last && last.rows.length) {
      const svg = await alignmentSvg({ source: Array.from(last.text), output: last.pieces, weights: last.rows, title: `"${last.text}" → "${last.pieces.join('')}"` });
      writeFileSync(align, svg);
      console.error(`wrote ${align}`);
    }
  } finally {
    model.dispose();
  }
}

/** Add `translate` to `program`. */
export function registerTranslate(program: Command): Command {
  return program
    .command('translate')
    .description('translate text with an encoder–decoder model (rxrnn.seq2seq/1), tokens streamed as they are committed')
    .requiredOption('--model <dir>', 'model directory (e.g. models/dates)')
    .option('--text <text>', 'the source text (default: each line of stdin)')
    .option('--beam <k>', 'beam width (1 = greedy)', int('--beam'), 1)
    .option('--align [file]', 'print each token’s attention peak; with a .svg file name, write the alignment heatmap there')
    .action((o) => translateCommand(o));
}

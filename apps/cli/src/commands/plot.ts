/**
 * `rxrnn plot --model <dir>`: redraw a model directory's loss curve (`loss-curve.svg`/`.png`) from
 * its `curve.json`. `plotCurve` is also what `rxrnn train` calls at every checkpoint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeLineChart, type CurvePoint } from '@rxrnn/text';

/** Plot a training curve next to the checkpoint: `loss-curve.svg` and `loss-curve.png`. */
export async function plotCurve(dir: string, curve: CurvePoint[]): Promise<{ svg: string; png: string }> {
  // The per-chunk training bpc is noisy: plot a running mean over 20 updates.
  const smooth: { x: number; y: number }[] = [];
  let acc = 0;
  const w = 20;
  curve.forEach((p, i) => {
    acc += p.bpc;
    if (i >= w) acc -= curve[i - w].bpc;
    smooth.push({ x: p.step, y: acc / Math.min(i + 1, w) });
  });
  return writeLineChart(join(dir, 'loss-curve'), [
    { name: 'train (mean of 20 updates)', points: smooth },
    { name: 'held-out', points: curve.filter((p) => p.valBpc !== undefined).map((p) => ({ x: p.step, y: p.valBpc! })) },
  ], { title: 'char-rnn on Moby Dick', xTitle: 'update', yTitle: 'bits per character' });
}

/** Add `plot` to `program`. */
export function registerPlot(program: Command): Command {
  return program
    .command('plot')
    .description('redraw the loss curve (loss-curve.svg/.png) of a model directory from curve.json')
    .requiredOption('--model <dir>', 'model directory')
    .action(async (o: { model: string }) => {
      const curve = JSON.parse(readFileSync(join(o.model, 'curve.json'), 'utf8')) as CurvePoint[];
      const out = await plotCurve(o.model, curve);
      process.stdout.write(`${out.svg}\n${out.png}\n`);
    });
}

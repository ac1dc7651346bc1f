import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { encodeModel } from '@rxrnn/cells';
import { CharCodec, charRnnModel, pngSize } from '@rxrnn/text';
import { expectNoLeaks } from '@rxrnn/testing';
import { registerViz, runViz } from './viz.js';

describe('rxrnn viz', () => {
  it('reads a model directory and a text file and writes the report (random-init tiny model)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxrnn-viz-cli-'));
    try {
      const text = 'He said "call me (if you can)" and left.\nShe said "no".\n'.repeat(4);
      const codec = CharCodec.fromText(text);
      const cell = charRnnModel({ vocabSize: codec.size, embeddingSize: 4, hiddenSize: 6, layers: 2, seed: 2 });
      const { json, weights } = encodeModel(cell, { name: 'tiny-random', io: codec.io as unknown as Record<string, unknown> });
      cell.dispose();
      mkdirSync(join(dir, 'model'));
      writeFileSync(join(dir, 'model', 'model.json'), json);
      writeFileSync(join(dir, 'model', 'weights.safetensors'), weights);
      writeFileSync(join(dir, 'in.txt'), text + '§'); // § is outside the vocabulary: dropped
      const program = new Command('rxrnn').exitOverride();
      registerViz(program);
      const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      let printed = '';
      try {
        await expectNoLeaks(() => program.parseAsync(['viz', '--model', join(dir, 'model'), '--text', join(dir, 'in.txt'), '--out', join(dir, 'out'), '--top-k', '1', '--heatmap-chars', '80', '--chars', 'aeiou'], { from: 'user' }));
        printed = write.mock.calls.map((c) => String(c[0])).join('');
      } finally {
        write.mockRestore();
      }
      expect(printed).toMatch(new RegExp(`rxrnn viz: ${Array.from(text).length} characters through tiny-random`));
      expect(printed).toMatch(/chars-1: L[12]\/\d r=/);
      const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
      expect(report.layers.map((l: { layer: number }) => l.layer)).toEqual([1, 2]);
      expect(report.searches.map((s: { feature: string }) => s.feature)).toEqual(['inside-quotes', 'line-position', 'inside-parens', 'chars-1']);
      expect(pngSize(new Uint8Array(readFileSync(join(dir, 'out', 'saturation.png')))).width).toBeGreaterThan(300);
      expect(existsSync(join(dir, 'out', 'index.html'))).toBe(true);
      await expect(runViz({ model: join(dir, 'model'), text: join(dir, 'in.txt'), out: join(dir, 'o2'), topK: '0', maxChars: '10', heatmapChars: '10' })).rejects.toThrow(
        /rxrnn viz: --top-k: expected a positive integer, received the string "0"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors, readSafetensors } from '@rxrnn/core';
import { expectNoLeaks } from '@rxrnn/testing';
import { encodeSeq2seq, decodeSeq2seq, saveSeq2seq, loadSeq2seq, SEQ2SEQ_FORMAT } from './model-file.js';
import { seq2seqGreedy } from './greedy.js';
import { tinyModel } from '../../test/seq2seq-harness.js';

const io = { kind: 'translate', chars: { source: 'abcdef', sourceFirstId: 1, target: 'xyz', targetFirstId: 3 }, maxSourceTokens: 8 };
const sources = [[3, 4, 5, 6], [1, 2], [6, 5, 4, 3, 2, 1]];

describe('rxrnn.seq2seq/1 model files', () => {
  it('save → load gives the same parameters and the same greedy outputs (F32 exactly; F16 close)', async () => {
    const model = tinyModel({ attention: 'general' });
    const want = seq2seqGreedy(model, sources, { maxLength: 5, alignments: true });
    const dir = mkdtempSync(join(tmpdir(), 'seq2seq-'));
    try {
      await saveSeq2seq(dir, model, { name: 'tiny', description: 'a test', io, training: { seed: 3 } });
      const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(doc).toMatchObject({ format: SEQ2SEQ_FORMAT, name: 'tiny', io, training: { seed: 3 }, options: { attention: 'general', sourceVocab: 7, encoderLayers: 3 } });
      expect(Object.keys(readSafetensors(new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))))).sort()).toEqual(Object.keys(model.params).sort());
      const { model: loaded, meta } = await loadSeq2seq(dir);
      expect(meta.io).toEqual(io);
      for (const [k, v] of Object.entries(model.params)) expect(Array.from(loaded.params[k].dataSync())).toEqual(Array.from(v.dataSync()));
      const got = seq2seqGreedy(loaded, sources, { maxLength: 5, alignments: true });
      expect(got).toEqual(want);
      loaded.dispose();

      const half = encodeSeq2seq(model, { name: 'tiny' }, { dtype: 'F16' });
      const full = encodeSeq2seq(model, { name: 'tiny' });
      expect(half.weights.length).toBeLessThan(full.weights.length);
      expect(new Set(Object.values(readSafetensors(half.weights)).map((t) => t.dtype))).toEqual(new Set(['F16']));
      const h = decodeSeq2seq(half.json, half.weights);
      for (const [k, v] of Object.entries(model.params)) {
        const a = v.dataSync();
        const b = h.model.params[k].dataSync();
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(a[i])));
      }
      h.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      model.dispose();
    }
  });

  it('bad files give typed errors and leave nothing allocated', async () => {
    const model = tinyModel();
    const { json, weights } = encodeSeq2seq(model, { name: 'tiny', io });
    const tensors = readSafetensors(weights);
    const doc = JSON.parse(json);
    model.dispose();
    const rewrite = (f: (t: typeof tensors) => void) => {
      const t = structuredClone(tensors);
      f(t);
      return writeSafetensors(t);
    };
    await expectNoLeaks(() => {
      expect(() => decodeSeq2seq('{', weights)).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'json' }));
      expect(() => decodeSeq2seq({ ...doc, format: 'rxrnn.model' }, weights)).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'json.format' }));
      expect(() => decodeSeq2seq({ ...doc, options: undefined }, weights)).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'json.options' }));
      expect(() => decodeSeq2seq({ ...doc, options: { ...doc.options, attention: 'psychic' } }, weights)).toThrow(expect.objectContaining({ code: 'E_UNKNOWN' }));
      expect(() => decodeSeq2seq(json, new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'weights (safetensors)' }));
      expect(() => decodeSeq2seq(json, rewrite((t) => delete t['projection.bias']))).toThrow(expect.objectContaining({ code: 'E_MISSING_WEIGHT', received: expect.stringContaining('missing projection.bias') }));
      expect(() => decodeSeq2seq(json, rewrite((t) => (t.extra = { shape: [1], data: new Float32Array(1) })))).toThrow(expect.objectContaining({ code: 'E_MISSING_WEIGHT', received: expect.stringContaining('extra extra') }));
      expect(() => decodeSeq2seq(json, rewrite((t) => (t['projection.bias'] = { shape: [7], data: new Float32Array(7) })))).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'weights["projection.bias"]' }));
      expect(() => decodeSeq2seq(json, rewrite((t) => (t['projection.bias'].data[0] = NaN)))).toThrow(expect.objectContaining({ code: 'E_NONFINITE' }));
      expect(() => decodeSeq2seq({ ...doc, options: { ...doc.options, targetVocab: 5 } }, weights)).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    }, 'bad files');
    const dir = mkdtempSync(join(tmpdir(), 'seq2seq-'));
    writeFileSync(join(dir, 'model.json'), json);
    await expect(loadSeq2seq(dir)).rejects.toMatchObject({ code: 'E_ARGUMENT', arg: 'dir' });
    rmSync(dir, { recursive: true, force: true });
  });
});

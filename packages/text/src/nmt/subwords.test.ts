import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { trainSubwords, truncateBpe, Subwords, SUBWORD_SPECIALS, type TokenizerJson } from './subwords.js';

// a few verses of both translations (public domain), as the training files hold them: one a line
const EN = [
  'In the beginning, God created the heavens and the earth.',
  'The earth was formless and empty. Darkness was on the surface of the deep and God’s Spirit was hovering over the surface of the waters.',
  'God said, “Let there be light,” and there was light.',
  'God saw the light, and saw that it was good. God divided the light from the darkness.',
  'God called the light “day”, and the darkness he called “night”. There was evening and there was morning, the first day.',
];
const ES = [
  'EN el principio crió Dios los cielos y la tierra.',
  'Y la tierra estaba desordenada y vacía, y las tinieblas estaban sobre la haz del abismo, y el Espíritu de Dios se movía sobre la haz de las aguas.',
  'Y dijo Dios: Sea la luz: y fué la luz.',
  'Y vió Dios que la luz era buena: y apartó Dios la luz de las tinieblas.',
  'Y llamó Dios á la luz Día, y á las tinieblas llamó Noche: y fué la tarde y la mañana un día.',
];

let dir: string;
let files: string[];
let bpe: Subwords;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxrnn-subwords-'));
  files = [join(dir, 'train.en.txt'), join(dir, 'train.es.txt')];
  writeFileSync(files[0]!, EN.join('\n') + '\n');
  writeFileSync(files[1]!, ES.join('\n') + '\n');
  bpe = await trainSubwords(files, { vocabSize: 120 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainSubwords (joint BPE through Hugging Face tokenizers)', () => {
  it('has the asked vocabulary size, the specials at 0–3', () => {
    expect(bpe.vocabSize).toBe(120);
    expect([SUBWORD_SPECIALS.pad, SUBWORD_SPECIALS.unk, SUBWORD_SPECIALS.bos, SUBWORD_SPECIALS.eos].map((t) => bpe.tokenId(t))).toEqual([0, 1, 2, 3]);
  });

  it('round-trips every training line, in both languages, and through its saved JSON', async () => {
    const again = await Subwords.fromJson(bpe.json);
    for (const line of [...EN, ...ES]) {
      const ids = await bpe.encode(line);
      expect(ids.every((i) => i > 3 && i < 120)).toBe(true);
      expect(await bpe.decode(ids)).toBe(line);
      expect(await again.encode(line)).toEqual(ids);
    }
    expect(await bpe.encodeBatch(EN.slice(0, 2))).toEqual([await bpe.encode(EN[0]!), await bpe.encode(EN[1]!)]);
  });

  it('splits words into learned pieces and punctuation off', async () => {
    const tokens = await bpe.tokens('the light, God.');
    expect(tokens.join('')).toBe('▁the▁light,▁God.');
    expect(tokens).toContain(',');
    expect(tokens).toContain('.');
    expect(tokens.length).toBeLessThan('the light, God.'.length); // merges were applied
  });

  it('encodes a character never seen in training as <unk>, which decoding leaves out', async () => {
    const ids = await bpe.encode('God ¿');
    expect(ids).toContain(1);
    expect(await bpe.decode(ids)).toBe('God '); // the space before it is its own token, ▁
  });

  it('a smaller vocabulary keeps a prefix of the merges of a larger one (BPE is greedy)', async () => {
    const big = JSON.parse(bpe.json) as TokenizerJson;
    const small = truncateBpe(big, 80);
    expect(Object.keys(small.model.vocab)).toHaveLength(80);
    expect(small.model.merges).toEqual(big.model.merges.slice(0, small.model.merges.length));
    const smaller = await Subwords.fromJson(JSON.stringify(small));
    expect((await smaller.encode(EN[2]!)).length).toBeGreaterThan((await bpe.encode(EN[2]!)).length);
    expect(await smaller.decode(await smaller.encode(EN[2]!))).toBe(EN[2]);
  });

  it('learns the same model again from the same files', async () => {
    expect((await trainSubwords(files, { vocabSize: 120 })).json).toBe(bpe.json);
  });

  it('rejects bad input with typed errors', async () => {
    await expect(trainSubwords([])).rejects.toMatchObject({ code: 'E_ARGUMENT', arg: 'files' });
    await expect(trainSubwords(files, { vocabSize: 2 })).rejects.toMatchObject({ code: 'E_ARGUMENT', arg: 'options.vocabSize' });
    expect(() => truncateBpe({ model: { type: 'Unigram' } } as never, 100)).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });
});

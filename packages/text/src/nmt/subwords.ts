/**
 * Subword units for translation: byte-pair encoding (Sennrich, Haddow & Birch 2016) learned and
 * applied by Hugging Face's `tokenizers` (the Rust library, through its Node binding), saved as its
 * `tokenizer.json`, which the Python `tokenizers` reads too.
 *
 * Pipeline: NFC → Metaspace (spaces become `▁`, which starts each word, so decoding restores the
 * spacing exactly) → punctuation split off (so `light,` and `light` share `▁light`) → BPE.
 * Ids 0–3 are `<pad>`, `<unk>`, `<s>`, `</s>`; a character never seen in training encodes as `<unk>`.
 *
 * ```ts
 * const bpe = await trainSubwords(['train.en.txt', 'train.es.txt'], { vocabSize: 8000 }); // joint
 * const ids = await bpe.encode('In the beginning'); // [ids…] without <s> / </s>
 * await bpe.decode(ids);                           // 'In the beginning'
 * bpe.save('bpe.json');
 * ```
 *
 * Why the merges are cut after training: the Node binding's `Tokenizer.train(files)` runs the model's
 * default trainer (the `Trainer` class has no constructor, so no vocabulary size can be passed), which
 * learns merges until the vocabulary holds 30,000 tokens or no pair is left. BPE is greedy — each merge
 * is the most frequent pair given the merges before it, and the size only decides when to stop — so the
 * first k merges are exactly what a run stopped at that size learns. {@link truncateBpe} keeps the
 * merges up to the wanted vocabulary size.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Tokenizer } from 'tokenizers';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** Special tokens, at ids 0 … 3. */
export const SUBWORD_SPECIALS = { pad: '<pad>', unk: '<unk>', bos: '<s>', eos: '</s>' } as const;
const SPECIALS = [SUBWORD_SPECIALS.pad, SUBWORD_SPECIALS.unk, SUBWORD_SPECIALS.bos, SUBWORD_SPECIALS.eos];

/** The parts of Hugging Face's tokenizer.json that {@link truncateBpe} reads and writes. */
export interface TokenizerJson {
  added_tokens: { id: number; content: string; single_word: boolean; lstrip: boolean; rstrip: boolean; normalized: boolean; special: boolean }[];
  model: { type: string; unk_token: string | null; vocab: Record<string, number>; merges: ([string, string] | string)[] } & Record<string, unknown>;
  [key: string]: unknown;
}

const asPair = (m: [string, string] | string): [string, string] => {
  if (Array.isArray(m)) return m;
  const i = m.indexOf(' ');
  return [m.slice(0, i), m.slice(i + 1)];
};

/**
 * Keep the first merges of a trained BPE tokenizer.json so that its vocabulary, the four specials
 * included, holds `vocabSize` tokens (or all it learned, if fewer): the specials at 0–3, then the
 * alphabet and the merged tokens in the order they were learned; `<unk>` as the unknown token.
 * (The whole alphabet is always kept, so a `vocabSize` below it gives the alphabet and no merge.)
 * Pure: returns a new object.
 */
export function truncateBpe(json: TokenizerJson, vocabSize: number): TokenizerJson {
  if (json?.model?.type !== 'BPE') throw rxrnnError(ErrorCodes.FORMAT, 'truncateBpe', 'json.model.type', "'BPE'", describe(json?.model?.type));
  if (!Number.isInteger(vocabSize) || vocabSize < SPECIALS.length + 1) throw rxrnnError(ErrorCodes.ARGUMENT, 'truncateBpe', 'vocabSize', `an integer ≥ ${SPECIALS.length + 1}`, describe(vocabSize));
  const learned = Object.entries(json.model.vocab)
    .filter(([t]) => !SPECIALS.includes(t as (typeof SPECIALS)[number]))
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
  const merges = json.model.merges.map(asPair);
  const keep = new Set(learned.filter((t) => [...t].length === 1)); // the alphabet: every character seen in training
  let k = 0;
  for (; k < merges.length; k++) {
    const [a, b] = merges[k]!;
    if (!keep.has(a + b) && keep.size + SPECIALS.length >= vocabSize) break;
    keep.add(a + b);
  }
  const vocab: Record<string, number> = {};
  SPECIALS.forEach((t, i) => (vocab[t] = i));
  for (const t of learned) if (keep.has(t)) vocab[t] = Object.keys(vocab).length;
  return {
    ...json,
    added_tokens: SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    model: { ...json.model, unk_token: SUBWORD_SPECIALS.unk, vocab, merges: merges.slice(0, k) },
  };
}

export interface TrainSubwordsOptions {
  /** Tokens in the vocabulary, the four specials included; default 8000. */
  vocabSize?: number;
}

/** A trained subword model: encode text to ids, decode ids to text. */
export class Subwords {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** Hugging Face tokenizer.json text. */
    readonly json: string,
  ) {}

  /** Read a tokenizer.json written by {@link Subwords.save} (or any BPE tokenizer.json with these specials). */
  static async fromJson(json: string): Promise<Subwords> {
    const { Tokenizer } = await import('tokenizers');
    return new Subwords(Tokenizer.fromString(json), json);
  }

  static async load(path: string): Promise<Subwords> {
    return Subwords.fromJson(readFileSync(path, 'utf8'));
  }

  save(path: string): void {
    writeFileSync(path, this.json);
  }

  /** Tokens in the vocabulary, specials included. */
  get vocabSize(): number {
    return this.tokenizer.getVocabSize(true);
  }

  /** The id of a token (e.g. `SUBWORD_SPECIALS.eos`), or undefined. */
  tokenId(token: string): number | undefined {
    return this.tokenizer.tokenToId(token) ?? undefined;
  }

  /** The subword tokens of `text` (no `<s>`, `</s>`). */
  async tokens(text: string): Promise<string[]> {
    return (await this.tokenizer.encode(text)).getTokens();
  }

  /** The ids of `text` (no `<s>`, `</s>`). */
  async encode(text: string): Promise<number[]> {
    return (await this.tokenizer.encode(text)).getIds();
  }

  /** Many texts at once. */
  async encodeBatch(texts: readonly string[]): Promise<number[][]> {
    return (await this.tokenizer.encodeBatch([...texts])).map((e) => e.getIds());
  }

  /** Text from ids; the special tokens are left out. */
  async decode(ids: readonly number[]): Promise<string> {
    return this.tokenizer.decode([...ids], true);
  }
}

/**
 * Learn BPE on the lines of `files` (for a joint vocabulary, the files of both languages), with
 * `vocabSize` tokens. Throws `E_ARGUMENT` for no files or a bad size.
 */
export async function trainSubwords(files: readonly string[], options: TrainSubwordsOptions = {}): Promise<Subwords> {
  const vocabSize = options.vocabSize ?? 8000;
  if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string')) throw rxrnnError(ErrorCodes.ARGUMENT, 'trainSubwords', 'files', 'a non-empty array of paths', describe(files));
  if (!Number.isInteger(vocabSize) || vocabSize < SPECIALS.length + 1) throw rxrnnError(ErrorCodes.ARGUMENT, 'trainSubwords', 'options.vocabSize', `an integer ≥ ${SPECIALS.length + 1}`, describe(vocabSize));
  const tk = await import('tokenizers');
  const tokenizer = new tk.Tokenizer(tk.BPE.empty());
  tokenizer.setNormalizer(tk.nfcNormalizer());
  tokenizer.setPreTokenizer(tk.sequencePreTokenizer([tk.metaspacePreTokenizer(), tk.punctuationPreTokenizer()]));
  tokenizer.setDecoder(tk.metaspaceDecoder());
  tokenizer.train([...files]);
  // no API returns the JSON as a string: save() to a temporary file
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'rxrnn-bpe-'));
  try {
    tokenizer.save(join(dir, 'tokenizer.json'));
    const trained = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
    return await Subwords.fromJson(JSON.stringify(truncateBpe(trained, vocabSize)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

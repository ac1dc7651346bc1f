/**
 * The translate adapter: serves an encoder–decoder (`Seq2SeqModel` of @rxrnn/attention) through any
 * transport as a session model (`SessionAdapter` of @rxrnn/core). Each `{ text }` input is one
 * translation: the source is checked (empty, characters outside the codec, more tokens than
 * `io.maxSourceTokens`) before anything is allocated, encoded once (`seq2seqSession`), then searched
 * by the library's own operators — `greedyDecode` for beam 1, `beamSearch` otherwise — whose
 * committed-prefix token events become output messages as they are committed:
 *
 *     { token: { id, text, position } , extras?: { attention: α [S] } }   one per committed token
 *     { final: { text, tokens, score, logProb, finish } }                  the whole translation
 *
 * `io` (the model file's): `{ kind: 'translate', maxSourceTokens, chars: { source, sourceFirstId,
 * target, targetFirstId } }` (a character-level codec: source character i has id sourceFirstId + i)
 * or `{ kind: 'translate', maxSourceTokens, subwords: 'subwords.json' }` (a {@link Subwords} BPE's
 * tokenizer.json, its text given as `options.subwords`). `open` options: `beam` (1 … `options.maxBeam`, default 1), `text`
 * (translated at once, as if sent as the first input).
 *
 * ```ts
 * const adapter = translateAdapter(model, meta.io!);
 * const work = adapter.open({ beam: 4 }, ctx).run({ text: '25 Nov 2026' }, ctx, { y: false, extras: true });
 * work.subscribe({ next: (m) => console.log(m), error: console.error, complete: () => {} });
 * ```
 */
import { defer, from, of, concatMap, map, type Observable } from 'rxjs';
import { rxrnnError, ErrorCodes, describe, type DecodeContext, type IoField, type JsonObject, type SessionAdapter, type SessionIo, type SessionWork } from '@rxrnn/core';
import { beamSearch, greedyDecode, seq2seqSession, loadSeq2seq, MAX_BEAM_WIDTH, type DecodeEvent, type Seq2SeqMeta, type Seq2SeqModel } from '@rxrnn/attention';
import { Subwords } from './subwords.js';

/** The widest beam a translator accepts by default (K × V scores per step run in JavaScript). */
export const MAX_TRANSLATE_BEAM = 16;

/** How source text becomes ids and target ids become text. */
export interface TranslateCodec {
  /** The characters of `text` the codec cannot encode (distinct, in order of appearance). */
  unknown(text: string): string[];
  /** Source ids (no BOS/EOS); may be asynchronous (a subword tokenizer). */
  encode(text: string): number[] | Promise<number[]>;
  /** The text of one target token ('' for specials). */
  piece(id: number): string;
  /** The text of target tokens. */
  decode(ids: readonly number[]): string | Promise<string>;
}

/** A character-level codec: `source[i]` ↔ id `sourceFirstId + i`, `target[i]` ↔ id `targetFirstId + i`. */
export function charTranslateCodec(io: { source: string; sourceFirstId: number; target: string; targetFirstId: number }): TranslateCodec {
  const fn = 'charTranslateCodec';
  for (const k of ['source', 'target'] as const) if (typeof io?.[k] !== 'string' || io[k].length === 0) throw rxrnnError(ErrorCodes.FORMAT, fn, `io.chars.${k}`, 'a non-empty string of characters', describe(io?.[k]));
  for (const k of ['sourceFirstId', 'targetFirstId'] as const) if (!Number.isInteger(io[k]) || io[k] < 0) throw rxrnnError(ErrorCodes.FORMAT, fn, `io.chars.${k}`, 'an integer ≥ 0', describe(io[k]));
  const src = new Map(Array.from(io.source, (c, i) => [c, io.sourceFirstId + i]));
  const tgt = Array.from(io.target);
  const piece = (id: number) => tgt[id - io.targetFirstId] ?? '';
  return {
    unknown: (text) => [...new Set(Array.from(text).filter((c) => !src.has(c)))],
    encode: (text) => Array.from(text, (c) => src.get(c)!),
    piece,
    decode: (ids) => ids.map(piece).join(''),
  };
}

/**
 * A subword codec over a trained BPE's tokenizer.json text ({@link Subwords}; a character never seen
 * in training is unknown). The tokenizer itself is loaded on the first encode.
 */
export function subwordTranslateCodec(json: string): TranslateCodec {
  let vocab: Record<string, number>;
  try {
    vocab = (JSON.parse(json) as { model: { vocab: Record<string, number> } }).model.vocab;
  } catch (e) {
    throw rxrnnError(ErrorCodes.FORMAT, 'subwordTranslateCodec', 'json', 'a tokenizer.json with model.vocab', (e as Error).message);
  }
  if (!vocab || typeof vocab !== 'object') throw rxrnnError(ErrorCodes.FORMAT, 'subwordTranslateCodec', 'json', 'a tokenizer.json with model.vocab', describe(vocab));
  let bpe: Promise<Subwords> | null = null;
  const tokenizer = () => (bpe ??= Subwords.fromJson(json));
  const byId: string[] = [];
  for (const [tok, id] of Object.entries(vocab)) byId[id] = tok;
  const known = (c: string) => /\s/.test(c) || c in vocab || `▁${c}` in vocab;
  return {
    unknown: (text) => [...new Set(Array.from(text.normalize('NFC')).filter((c) => !known(c)))],
    encode: async (text) => (await tokenizer()).encode(text),
    piece: (id) => (id < 4 ? '' : (byId[id] ?? '').replace(/▁/g, ' ')),
    decode: async (ids) => (await tokenizer()).decode([...ids]),
  };
}

export interface TranslateAdapterOptions {
  /** The tokenizer.json text of a `subwords` io (read by the caller from the model directory). */
  subwords?: string;
  /** The widest beam accepted (1 … MAX_BEAM_WIDTH). Default {@link MAX_TRANSLATE_BEAM}. */
  maxBeam?: number;
}

const isNumber: IoField = { check: (v) => typeof v === 'number', expected: 'a number' };
const isString: IoField = { check: (v) => typeof v === 'string', expected: 'a string' };

/** The adapter of a translator (see the module comment). The caller keeps owning `model`. */
export function translateAdapter(model: Seq2SeqModel, io: Readonly<Record<string, unknown>>, options: TranslateAdapterOptions = {}): SessionAdapter {
  const fn = 'translateAdapter';
  if (!io || io.kind !== 'translate') throw rxrnnError(ErrorCodes.FORMAT, fn, 'io.kind', "'translate'", describe(io?.kind));
  const maxSource = io.maxSourceTokens ?? model.maxSourceLength;
  if (!Number.isInteger(maxSource) || (maxSource as number) < 1 || (maxSource as number) > model.maxSourceLength) {
    throw rxrnnError(ErrorCodes.FORMAT, fn, 'io.maxSourceTokens', `an integer in 1 … ${model.maxSourceLength} (the model's maxSourceLength)`, describe(maxSource));
  }
  const maxBeam = options.maxBeam ?? MAX_TRANSLATE_BEAM;
  if (!Number.isInteger(maxBeam) || maxBeam < 1 || maxBeam > MAX_BEAM_WIDTH) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.maxBeam', `an integer in 1 … ${MAX_BEAM_WIDTH}`, describe(maxBeam));
  let codec: TranslateCodec;
  if (io.chars !== undefined && io.subwords === undefined) codec = charTranslateCodec(io.chars as Parameters<typeof charTranslateCodec>[0]);
  else if (io.subwords !== undefined && io.chars === undefined) {
    if (!options.subwords) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.subwords', `the Subwords of ${JSON.stringify(io.subwords)}`, 'none');
    codec = subwordTranslateCodec(options.subwords);
  } else throw rxrnnError(ErrorCodes.FORMAT, fn, 'io', 'exactly one codec: chars { source, sourceFirstId, target, targetFirstId } or subwords (a file name)', describe(io));
  const info: JsonObject = { kind: 'translate', codec: io.chars !== undefined ? 'chars' : 'subwords', maxSourceTokens: maxSource as number, maxBeam, ...(io.chars !== undefined ? { sourceChars: (io.chars as { source: string }).source } : {}) };
  const maxLength = model.maxTargetLength;

  /** One committed token or the final event → an output message's fields. */
  const message = (e: DecodeEvent, wants: true | ReadonlySet<string> | null): Observable<JsonObject> => {
    if (e.kind === 'token') {
      const out: JsonObject = { token: { id: e.token, text: codec.piece(e.token), position: e.position } };
      if (wants === true || wants?.has('attention')) out.extras = { attention: Array.from(e.extras.alignment) };
      return of(out);
    }
    const b = e.best;
    const text = codec.decode(b.tokens);
    return (text instanceof Promise ? from(text) : of(text)).pipe(map((t): JsonObject => ({ final: { text: t, tokens: b.tokens, score: b.score, logProb: b.logProb, finish: b.finish } })));
  };

  return {
    kind: 'translate',
    modelKind: 'seq2seq',
    info,
    inputs: ['text'],
    options: ['beam', 'text'],
    extras: ['attention'],
    fields: { beam: isNumber, text: isString },
    open(opts, ctx, wants): SessionIo {
      const beam = opts.beam ?? 1;
      if (!Number.isInteger(beam) || (beam as number) < 1 || (beam as number) > maxBeam) throw rxrnnError(ErrorCodes.SIZE, ctx.fn, 'options.beam', `a beam width, an integer in 1 … ${maxBeam}`, describe(beam));
      const search = beam === 1 ? greedyDecode({ maxLength }) : beamSearch({ beamWidth: beam as number, maxLength });
      const sio: SessionIo & { first?: SessionWork } = {
        run(fields, ctx: DecodeContext, wants) {
          const text = fields.text;
          if (typeof text !== 'string') throw rxrnnError(ErrorCodes.ARGUMENT, ctx.fn, 'text', 'the source text (a string)', describe(text));
          if (text.trim() === '') throw rxrnnError(ErrorCodes.SIZE, ctx.fn, 'text', 'a non-empty source text', describe(text));
          let n = 0;
          for (const _ of text) n++;
          // A character codec: one token per character, so the length is known before anything else is read.
          if (io.chars !== undefined && n > (maxSource as number)) throw rxrnnError(ErrorCodes.SIZE, ctx.fn, 'text', `at most ${maxSource} source tokens`, `${n}`);
          const unknown = codec.unknown(text);
          if (unknown.length) throw rxrnnError(ErrorCodes.ARGUMENT, ctx.fn, 'text', "characters the model's codec knows", `unknown ${unknown.slice(0, 10).map((c) => JSON.stringify(c)).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`);
          ctx.admit(1);
          const checked = (ids: number[]) => {
            if (ids.length > (maxSource as number)) throw rxrnnError(ErrorCodes.SIZE, ctx.fn, 'text', `at most ${maxSource} source tokens`, `${ids.length}`);
            if (ids.length === 0) throw rxrnnError(ErrorCodes.SIZE, ctx.fn, 'text', 'a source of at least one token', '0 tokens');
            return ids;
          };
          return defer(() => {
            const ids = codec.encode(text);
            const ids$ = ids instanceof Promise ? from(ids) : of(ids);
            return ids$.pipe(
              map((x) => seq2seqSession(model, checked(x))),
              search,
              concatMap((e) => message(e, wants.extras)),
            );
          });
        },
      };
      // `text` at open: translated at once, checked now (so a bad one refuses the open).
      if (opts.text !== undefined) return { ...sio, first: sio.run({ text: opts.text }, ctx, wants ?? { y: false, extras: null }) };
      return sio;
    },
  };
}

/**
 * Load a translator's model directory (Node): an `rxrnn.seq2seq/1` model with `io.kind: 'translate'`
 * (its subwords file read beside it) and its adapter. The caller owns `model` (`model.dispose()`).
 */
export async function loadTranslator(dir: string, options: Omit<TranslateAdapterOptions, 'subwords'> = {}): Promise<{ model: Seq2SeqModel; meta: Seq2SeqMeta; adapter: SessionAdapter }> {
  const { model, meta } = await loadSeq2seq(dir);
  try {
    const io = meta.io ?? {};
    const subwords = typeof io.subwords === 'string' ? (await import('node:fs')).readFileSync((await import('node:path')).join(dir, io.subwords), 'utf8') : undefined;
    return { model, meta, adapter: translateAdapter(model, io, { ...options, subwords }) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

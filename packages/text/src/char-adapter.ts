/**
 * The char adapter: serves character models (embedding → … → logits over a vocabulary) through
 * any transport. A step's input is one token id `[1]`; the client sends text, ids or `x`
 * (ids as floats, JSON or binary), and each output says which character was fed (`input`) or,
 * while generating, which one was sampled from the logits (`token`). `open` options: `prime`
 * (text to feed first), `generate` (then sample that many characters), `temperature` (0 =
 * greedy; default 1) and `seed` (the stream's sampler; default 0). The `generate` loop samples
 * each next character from the last step's logits with {@link sampleLogits}.
 *
 * ```ts
 * const adapter = charAdapter({ kind: 'char', vocab: 'ab ', unknown: ' ' }, { name: 'tiny', inputSize: 1, outputSize: 3 });
 * const { io, rows, loop } = adapter.open({ prime: 'ab', generate: 5, seed: 1 }, ctx); // rows: 'a', 'b'; then 5 sampled
 * ```
 */
import { createRng, encodeOutput, ioInfo, jsonRows, payloadRows, rxrnnError, ErrorCodes, describe, type AdapterFactory, type IoModel, type DecodeContext, type DecodeLoop, type IoRow, type ModelAdapter, type Rng } from '@rxrnn/core';
import { CharCodec, type CharIo } from './char-codec.js';
import { sampleLogits } from './sample-logits.js';

/** A char model's step input: the id as `x` `[1]`, and what its output message says about it. */
export interface CharRow extends IoRow {
  readonly echo: { input: string } | { token: { id: number; char: string } };
}

/** The char adapter of a model (an {@link AdapterFactory} for io kind `char`). */
export function charAdapter(io: Readonly<Record<string, unknown>>, model: IoModel): ModelAdapter<CharRow> {
  const fn = 'charAdapter';
  const info = ioInfo(io, 'char', fn);
  const codec = new CharCodec(io as unknown as CharIo);
  const V = codec.size;
  if (model.inputSize !== 1) throw rxrnnError(ErrorCodes.SIZE, fn, `${model.name}.inputSize`, '1 (a token id per step)', `${model.inputSize}`);
  if (model.outputSize !== V) throw rxrnnError(ErrorCodes.SIZE, fn, `${model.name}.outputSize`, `${V} logits (the vocabulary's size)`, `${model.outputSize}`);
  const fed = (id: number): CharRow => ({ x: Float32Array.of(id), echo: { input: codec.chars[id] } });
  const checkId = (ctx: DecodeContext, arg: string, id: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= V) throw rxrnnError(ErrorCodes.ARGUMENT, ctx.fn, arg, `a token id, an integer in [0, ${V})`, describe(id));
  };
  const fromText = (text: string, ctx: DecodeContext): CharRow[] => {
    let n = 0;
    for (const _ of text) n++;
    ctx.admit(n);
    return codec.encode(text, ctx.fn).map(fed);
  };
  const fromFloats = (rows: Float32Array[], ctx: DecodeContext): CharRow[] =>
    rows.map((x) => {
      checkId(ctx, 'x[0]', x[0]);
      return fed(x[0]);
    });

  return {
    kind: 'char',
    info,
    inputs: ['x', 'text', 'ids'],
    binary: ['float32'],
    options: ['prime', 'generate', 'temperature', 'seed'],
    loops: { generate: ['temperature', 'seed'] },
    extras: [],
    outputs: false,
    open(options, ctx) {
      let rng: Rng = createRng((options.seed as number | undefined) ?? 0);
      const generate = (temperature: number): DecodeLoop<CharRow> => ({
        next(last) {
          const id = sampleLogits(last, temperature, rng);
          return { x: Float32Array.of(id), echo: { token: { id, char: codec.chars[id] } } };
        },
      });
      const rows = options.prime !== undefined ? fromText(options.prime as string, ctx) : [];
      const n = (options.generate as number | undefined) ?? 0;
      return {
        rows,
        loop: n > 0 ? { name: 'generate', steps: n, loop: generate((options.temperature as number | undefined) ?? 1) } : undefined,
        io: {
          decode(fields, ctx) {
            if (fields.text !== undefined) return fromText(fields.text as string, ctx);
            if (fields.ids !== undefined) {
              const ids = fields.ids as unknown[];
              ctx.admit(ids.length);
              ids.forEach((id, i) => checkId(ctx, `ids[${i}]`, id));
              return (ids as number[]).map(fed);
            }
            return fromFloats(jsonRows(fields.x, 1, ctx), ctx);
          },
          decodeBinary: (payload, ctx) => fromFloats(payloadRows(payload, 1, ctx), ctx),
          encode: (step, wants) => Object.assign(encodeOutput(step, wants), step.row.echo),
          loop(_name, o) {
            if (o.seed !== undefined) rng = createRng(o.seed as number);
            return generate((o.temperature as number | undefined) ?? 1);
          },
        },
      };
    },
  };
}

// The char adapter is an adapter factory (checked here, where it is defined).
charAdapter satisfies AdapterFactory;

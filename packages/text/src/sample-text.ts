/**
 * `sampleText`: stream text from a char model: feed the priming text, then feed back each sampled
 * character, one `recurrent()` step per character, and emit each generated character as soon as
 * it is drawn (temperature as in {@link sampleLogits}).
 *
 * Shape contract: the model takes a token id `[1, 1]` and gives logits `[1, V]`. Emits strings of
 * one character; completes after `length` characters. State is freed on complete, error and
 * unsubscribe; the cell belongs to the caller.
 *
 * ```ts
 * sampleText(cell, codec, { prime: 'Call me', temperature: 0.8, length: 300, seed: 1 })
 *   .subscribe((c) => process.stdout.write(c));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { Observable, Subject, asapScheduler, observeOn } from 'rxjs';
import { recurrent, createRng, rxrnnError, ErrorCodes, describe, type Cell } from '@rxrnn/core';
import { sampleLogits } from './sample-logits.js';
import type { CharCodec } from './char-codec.js';

export interface SampleTextOptions {
  /** Text to condition on (not emitted). Default: a newline (or the first vocabulary character). */
  prime?: string;
  /** Default 1. */
  temperature?: number;
  /** Characters to generate. Default 200. */
  length?: number;
  /** Seed of the sampler. Default 0. */
  seed?: number;
}

export function sampleText(cell: Cell, codec: CharCodec, options: SampleTextOptions = {}): Observable<string> {
  const fn = 'sampleText';
  const length = options.length ?? 200;
  if (!Number.isInteger(length) || length < 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.length', 'an integer ≥ 0', describe(length));
  const temperature = options.temperature ?? 1;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.temperature', 'a finite number ≥ 0', describe(temperature));
  if (cell.inputSize !== 1 || cell.outputSize !== codec.size) throw rxrnnError(ErrorCodes.SIZE, fn, 'cell', `a char model with input [B, 1] and ${codec.size} logits`, `input ${cell.inputSize}, output ${cell.outputSize}`);
  const prime = options.prime === undefined || options.prime === '' ? (codec.chars.includes('\n') ? '\n' : codec.chars[0]) : options.prime;
  const primeIds = codec.encode(prime, fn);
  return new Observable<string>((subscriber) => {
    if (length === 0) {
      subscriber.complete();
      return;
    }
    const rng = createRng(options.seed ?? 0);
    const input$ = new Subject<number[]>();
    let seen = 0;
    let produced = 0;
    // Every input is stepped on its own task: feedback without recursion, output as it comes.
    const sub = input$.pipe(observeOn(asapScheduler), recurrent(cell)).subscribe({
      next: (logits: tf.Tensor2D) => {
        seen++;
        if (seen < primeIds.length) {
          logits.dispose();
          return;
        }
        const row = logits.dataSync();
        logits.dispose();
        const id = sampleLogits(row, temperature, rng);
        produced++;
        subscriber.next(codec.chars[id]);
        if (produced >= length) subscriber.complete();
        else input$.next([id]);
      },
      error: (e) => subscriber.error(e),
    });
    for (const id of primeIds) input$.next([id]);
    return () => {
      sub.unsubscribe();
      input$.complete();
    };
  });
}

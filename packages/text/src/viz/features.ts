/**
 * Features of a text, one number per character, to look for in a model's cells (Karpathy, Johnson
 * & Fei-Fei 2016, §4.2: cells that track quotes, line length, brackets). Each value describes the
 * text *after reading* character t, i.e. what the cell state after step t could know:
 *
 *     inside-quotes[t]      1 between an opening quote (included) and its closing quote (excluded)
 *     line-position[t]      characters since the last newline (0 on the newline itself)
 *     inside-parens[t]      1 while at least one '(' is open after reading char t
 *
 * Pure (no tensors): works on `Array.from(text)` (code points, as {@link CharCodec} counts them).
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** A per-character feature of a text. */
export interface TextFeature {
  /** A short, file-name-safe name, e.g. `'inside-quotes'`. */
  name: string;
  /** One line for reports. */
  description?: string;
  /** One value per character. */
  values(chars: readonly string[]): Float32Array;
}

/** Quote characters: straight `"` toggles; curly “ opens and ” closes. */
function insideQuotes(chars: readonly string[]): Float32Array {
  const out = new Float32Array(chars.length);
  let inside = false;
  chars.forEach((c, t) => {
    if (c === '"') inside = !inside;
    else if (c === '\u201C') inside = true;
    else if (c === '\u201D') inside = false;
    out[t] = inside ? 1 : 0;
  });
  return out;
}

function linePosition(chars: readonly string[]): Float32Array {
  const out = new Float32Array(chars.length);
  let n = 0;
  chars.forEach((c, t) => {
    n = c === '\n' ? 0 : n + 1;
    out[t] = n;
  });
  return out;
}

function insideParens(chars: readonly string[]): Float32Array {
  const out = new Float32Array(chars.length);
  let depth = 0;
  chars.forEach((c, t) => {
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    out[t] = depth > 0 ? 1 : 0;
  });
  return out;
}

/** The built-in features of the paper's search. */
export const textFeatures: Readonly<Record<'insideQuotes' | 'linePosition' | 'insideParens', TextFeature>> = {
  insideQuotes: { name: 'inside-quotes', description: 'inside a quotation ("…" or “…”)', values: insideQuotes },
  linePosition: { name: 'line-position', description: 'characters since the last newline', values: linePosition },
  insideParens: { name: 'inside-parens', description: 'inside parentheses', values: insideParens },
};

/**
 * A feature from a user predicate: `predicate(char, index, chars)` returns a boolean (1/0) or a
 * number for character `index`.
 *
 * ```ts
 * const vowel = predicateFeature('vowel', (c) => 'aeiou'.includes(c));
 * ```
 */
export function predicateFeature(name: string, predicate: (char: string, index: number, chars: readonly string[]) => boolean | number, description?: string): TextFeature {
  const fn = 'predicateFeature';
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'name', 'a name of letters, digits, - and _', describe(name));
  if (typeof predicate !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'predicate', 'a function (char, index, chars) → boolean | number', describe(predicate));
  return {
    name,
    description: description ?? `user predicate ${name}`,
    values(chars) {
      const out = new Float32Array(chars.length);
      for (let t = 0; t < chars.length; t++) {
        const v = predicate(chars[t], t, chars);
        const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
        if (typeof x !== 'number' || !Number.isFinite(x)) throw rxrnnError(ErrorCodes.NONFINITE, `feature ${name}`, `predicate(chars[${t}])`, 'a boolean or a finite number', describe(v));
        out[t] = x;
      }
      return out;
    },
  };
}

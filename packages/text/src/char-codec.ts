/**
 * A character vocabulary: text ⇄ token ids. The model format stores it as
 * `io: { kind: 'char', vocab: "<the V characters in id order>", unknown: "<char or null>" }`.
 */
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

export interface CharIo {
  kind: 'char';
  /** The characters, in id order (id i ↔ vocab[i]); code points, so astral characters count once. */
  vocab: string;
  /** A character of the vocabulary that stands in for characters outside it; null to reject them. */
  unknown: string | null;
}

export class CharCodec {
  readonly chars: readonly string[];
  readonly size: number;
  readonly unknownId: number | null;
  private readonly ids: Map<string, number>;

  constructor(io: CharIo) {
    if (!io || io.kind !== 'char' || typeof io.vocab !== 'string' || io.vocab.length === 0) {
      throw rxrnnError(ErrorCodes.FORMAT, 'CharCodec', 'io', "{ kind: 'char', vocab: non-empty string, unknown }", describe(io));
    }
    this.chars = Array.from(io.vocab);
    this.size = this.chars.length;
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
    if (this.ids.size !== this.size) throw rxrnnError(ErrorCodes.FORMAT, 'CharCodec', 'io.vocab', 'distinct characters', 'a vocabulary with repeats');
    const unk = io.unknown ?? null;
    this.unknownId = unk === null ? null : (this.ids.get(unk) ?? null);
    if (unk !== null && this.unknownId === null) throw rxrnnError(ErrorCodes.FORMAT, 'CharCodec', 'io.unknown', 'a character of the vocabulary or null', describe(unk));
  }

  /** Build a codec from a corpus: its distinct characters, sorted by code point. */
  static fromText(text: string, unknown: string | null = null): CharCodec {
    const set = new Set(Array.from(text));
    if (unknown !== null) set.add(unknown);
    return new CharCodec({ kind: 'char', vocab: [...set].sort().join(''), unknown });
  }

  get io(): CharIo {
    return { kind: 'char', vocab: this.chars.join(''), unknown: this.unknownId === null ? null : this.chars[this.unknownId] };
  }

  /** Text → ids. Characters outside the vocabulary map to `unknown`, or throw naming the first one. */
  encode(text: string, fn = 'CharCodec.encode'): number[] {
    const out: number[] = [];
    for (const c of text) {
      const id = this.ids.get(c) ?? this.unknownId;
      if (id === null || id === undefined) {
        throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'text', 'characters of the model vocabulary', `${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);
      }
      out.push(id);
    }
    return out;
  }

  /** Ids → text. */
  decode(ids: Iterable<number>): string {
    let s = '';
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.size) throw rxrnnError(ErrorCodes.ARGUMENT, 'CharCodec.decode', 'ids', `integers in [0, ${this.size})`, describe(id));
      s += this.chars[id];
    }
    return s;
  }
}

import { describe, it, expect } from 'vitest';
import { lastValueFrom, toArray, of, take } from 'rxjs';
import type { JsonObject } from '@rxrnn/core';
import { expectNoLeaks } from '@rxrnn/testing';
import { seq2seqModel, seq2seqSession, beamSearch, greedyDecode } from '@rxrnn/attention';
import { translateAdapter, charTranslateCodec, subwordTranslateCodec } from './translate-adapter.js';

const CHARS = { source: 'abc d', sourceFirstId: 1, target: 'xyz', targetFirstId: 3 };
const io = { kind: 'translate', chars: CHARS, maxSourceTokens: 6 };
const tiny = () => seq2seqModel({ sourceVocab: 6, targetVocab: 6, bos: 1, eos: 2, embeddingSize: 4, encoderSize: 3, decoderSize: 5, attention: 'general', maxSourceLength: 8, maxTargetLength: 6, seed: 2 });
const ctx = { fn: 'input(tiny)', admit: () => undefined };

describe('translateAdapter', () => {
  it('streams the library decoders’ tokens, then the final text; attention only when asked', async () => {
    const model = tiny();
    const adapter = translateAdapter(model, io);
    expect(adapter).toMatchObject({ kind: 'translate', modelKind: 'seq2seq', inputs: ['text'], options: ['beam', 'text'], extras: ['attention'], info: { codec: 'chars', maxSourceTokens: 6 } });
    for (const beam of [1, 3]) {
      const want = await lastValueFrom(of(seq2seqSession(model, [1, 2, 3, 5])).pipe(beam === 1 ? greedyDecode({ maxLength: 6 }) : beamSearch({ beamWidth: beam, maxLength: 6 }), toArray()));
      const got = await expectNoLeaks(() => lastValueFrom((adapter.open({ beam }, ctx).run({ text: 'abcd' }, ctx, { y: false, extras: new Set(['attention']) }) as import('rxjs').Observable<JsonObject>).pipe(toArray())));
      const final = want.at(-1)!;
      if (final.kind !== 'final') throw new Error('no final');
      expect(got.slice(0, -1).map((m) => (m.token as { id: number }).id)).toEqual(want.filter((e) => e.kind === 'token').map((e) => (e.kind === 'token' ? e.token : -1)));
      expect(got.slice(0, -1).every((m) => (m.extras as { attention: number[] }).attention.length === 4)).toBe(true);
      expect(got.at(-1)).toMatchObject({ final: { tokens: final.best.tokens, text: final.best.tokens.map((t) => 'xyz'[t - 3] ?? '').join('') } });
    }
    const plain = await lastValueFrom((adapter.open({}, ctx).run({ text: 'a' }, ctx, { y: false, extras: null }) as import('rxjs').Observable<JsonObject>).pipe(toArray()));
    expect(plain.every((m) => m.extras === undefined)).toBe(true);
    model.dispose();
  });

  it('leaves no tensors when the consumer unsubscribes after the first token, or the work fails', async () => {
    const model = tiny();
    const adapter = translateAdapter(model, io);
    await expectNoLeaks(() => {
      return Promise.all([1, 3].map(async (beam) => {
        const w = adapter.open({ beam }, ctx).run({ text: 'abcd' }, ctx, { y: false, extras: true }) as import('rxjs').Observable<JsonObject>;
        const first = await lastValueFrom(w.pipe(take(1))); // unsubscribes from the search after its first message
        expect(first).toBeDefined();
      }));
    }, 'early unsubscribe');
    model.dispose();
    // The model disposed: the work fails with E_DISPOSED when it runs, and frees what it made.
    await expectNoLeaks(async () => {
      const w = adapter.open({}, ctx).run({ text: 'ab' }, ctx, { y: false, extras: null }) as import('rxjs').Observable<JsonObject>;
      await expect(lastValueFrom(w)).rejects.toMatchObject({ code: 'E_DISPOSED' });
    }, 'failing work');
  });

  it('bad input and options: typed errors before anything is allocated', async () => {
    const model = tiny();
    const adapter = translateAdapter(model, io, { maxBeam: 4 });
    await expectNoLeaks(() => {
      for (const beam of [0, 5, 1.5, -1]) expect(() => adapter.open({ beam }, ctx)).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'options.beam' }));
      const s = adapter.open({ beam: 2 }, ctx);
      const w = { y: false, extras: null } as const;
      expect(() => s.run({ text: '' }, ctx, w)).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'text' }));
      expect(() => s.run({ text: '  ' }, ctx, w)).toThrow(expect.objectContaining({ code: 'E_SIZE', arg: 'text' }));
      expect(() => s.run({ text: 'abQ☃Q' }, ctx, w)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', received: 'unknown "Q", "☃"' }));
      expect(() => s.run({ text: 'abcabca' }, ctx, w)).toThrow(expect.objectContaining({ code: 'E_SIZE', expected: 'at most 6 source tokens' }));
      expect(() => s.run({ text: 3 }, ctx, w)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
      expect(() => adapter.open({ text: 'aQ' }, ctx)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'text' })); // text at open: checked at open
      expect(adapter.open({ text: 'ab' }, ctx).first).toBeDefined();
      expect(() => s.run({ text: 'abc' }, { fn: 'x', admit: () => { throw new Error('over the limit'); } }, w)).toThrow('over the limit');
    });
    expect(() => translateAdapter(model, { kind: 'char' })).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'io.kind' }));
    expect(() => translateAdapter(model, { ...io, maxSourceTokens: 9 })).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'io.maxSourceTokens' }));
    expect(() => translateAdapter(model, { kind: 'translate', chars: CHARS, subwords: 'x.json' })).toThrow(expect.objectContaining({ code: 'E_FORMAT', arg: 'io' }));
    expect(() => translateAdapter(model, { kind: 'translate', subwords: 'x.json' })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.subwords' }));
    expect(() => translateAdapter(model, io, { maxBeam: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    model.dispose();
  });

  it('codecs: chars by position, subwords by the tokenizer’s vocabulary', () => {
    const c = charTranslateCodec(CHARS);
    expect(c.encode('ad b')).toEqual([1, 5, 4, 2]);
    expect([c.piece(3), c.piece(5), c.piece(2)]).toEqual(['x', 'z', '']);
    expect(c.unknown('aXbXY')).toEqual(['X', 'Y']);
    const s = subwordTranslateCodec(JSON.stringify({ model: { vocab: { '<pad>': 0, '<unk>': 1, '<s>': 2, '</s>': 3, '▁': 4, a: 5, b: 6, '▁la': 7, '▁c': 8, l: 9 } } }));
    expect(s.unknown('la ab c!é')).toEqual(['!', 'é']);
    expect([s.piece(7), s.piece(5), s.piece(3)]).toEqual([' la', 'a', '']);
    expect(() => subwordTranslateCodec('{')).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });
});

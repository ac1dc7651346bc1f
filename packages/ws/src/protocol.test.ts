/** The protocol codec on its own: binary frames and the validation of client messages. */
import { describe, it, expect } from 'vitest';
import { RxrnnError } from '@rxrnn/core';
import { encodeInputFrame, encodeOutputFrame, decodeFrame, parseClientMessage, errorMessage, FRAME_HEADER_BYTES } from './index.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RxrnnError);
    return (e as RxrnnError).code;
  }
  return 'no error';
};

describe('binary frames', () => {
  it('round-trip inputs and outputs exactly, little-endian, with a 12-byte header', () => {
    const data = Float32Array.of(1.5, -2.25, 3.1415927, 1e-30);
    const inp = encodeInputFrame(0xdeadbeef, data);
    expect(inp.byteLength).toBe(FRAME_HEADER_BYTES + 16);
    expect(Array.from(inp.slice(0, 8))).toEqual([1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
    expect(decodeFrame(inp)).toEqual({ type: 1, stream: 0xdeadbeef, seq: 0, data });
    const out = encodeOutputFrame(7, 42, data);
    expect(decodeFrame(out)).toEqual({ type: 2, stream: 7, seq: 42, data });
  });

  it('rejects short frames, unknown types, non-zero reserved bytes and ragged payloads with E_PROTOCOL', () => {
    expect(codeOf(() => decodeFrame(new Uint8Array(11)))).toBe('E_PROTOCOL');
    const f = encodeInputFrame(1, Float32Array.of(1));
    expect(codeOf(() => decodeFrame(Uint8Array.of(3, ...f.slice(1))))).toBe('E_PROTOCOL');
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 1, ...f.slice(2))))).toBe('E_PROTOCOL');
    expect(codeOf(() => decodeFrame(Uint8Array.of(...f, 0)))).toBe('E_PROTOCOL');
  });
});

describe('parseClientMessage', () => {
  it('parses every message type', () => {
    expect(parseClientMessage('{"type":"open","stream":1,"model":"m","options":{"extras":["i"],"format":"binary"},"req":3}')).toMatchObject({ type: 'open', stream: 1, model: 'm', req: 3, options: { extras: ['i'], format: 'binary' } });
    expect(parseClientMessage('{"type":"input","stream":1,"x":[1,2]}')).toMatchObject({ x: [[1, 2]] });
    expect(parseClientMessage('{"type":"input","stream":1,"x":[[1,2],[3,4]]}')).toMatchObject({ x: [[1, 2], [3, 4]] });
    expect(parseClientMessage('{"type":"input","stream":1,"text":"ab"}')).toMatchObject({ text: 'ab' });
    expect(parseClientMessage('{"type":"input","stream":1,"ids":[1]}')).toMatchObject({ ids: [1] });
    expect(parseClientMessage('{"type":"generate","stream":1,"n":5,"temperature":0.5,"seed":2}')).toMatchObject({ n: 5, temperature: 0.5, seed: 2 });
    for (const t of ['reset', 'snapshot', 'close']) expect(parseClientMessage(`{"type":"${t}","stream":0}`)).toEqual({ type: t, stream: 0, req: undefined });
    expect(parseClientMessage('{"type":"restore","stream":1,"snapshot":{},"seq":3}')).toMatchObject({ snapshot: {}, seq: 3 });
  });

  it('rejects malformed messages with E_PROTOCOL (E_UNKNOWN for unknown options), keeping stream and req when readable', () => {
    for (const bad of ['', 'nope', '[]', '1', '{"type":"open"}', '{"type":"open","stream":1}', '{"type":"x","stream":1}', '{"type":"input","stream":1.5,"x":[1]}', '{"type":"input","stream":1}', '{"type":"input","stream":1,"x":[1],"text":"a"}', '{"type":"input","stream":1,"x":[[]]}', '{"type":"generate","stream":1,"n":-1}', '{"type":"open","stream":1,"model":"m","options":{"temperature":-1}}', '{"type":"open","stream":1,"model":"m","req":-2}']) {
      expect(codeOf(() => parseClientMessage(bad)), bad).toBe('E_PROTOCOL');
    }
    expect(codeOf(() => parseClientMessage('{"type":"open","stream":1,"model":"m","options":{"zzz":1}}'))).toBe('E_UNKNOWN');
    try {
      parseClientMessage('{"type":"generate","stream":9,"req":4}');
    } catch (e) {
      expect(errorMessage(e, (e as { stream?: number }).stream, (e as { req?: number }).req)).toMatchObject({ type: 'error', code: 'E_PROTOCOL', stream: 9, req: 4, arg: 'n' });
    }
  });

  it('wraps non-rxrnn errors as E_INTERNAL', () => {
    expect(errorMessage(new TypeError('boom'))).toMatchObject({ code: 'E_INTERNAL', received: 'TypeError: boom' });
  });
});

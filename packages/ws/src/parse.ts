/**
 * Validation of client messages (JSON text frames) against the grammar of `rxrnn.v1`: every field's
 * type is checked here, before the server looks at it. The grammar is the protocol's own names
 * (`x`, `text`, `ids`; `prime`, `generate`, `temperature`, `seed`) plus any a hosted model's io
 * adapter declares with a wire check ({@link extendGrammar}). Pure (no Node APIs).
 *
 * ```ts
 * parseClientMessage('{"type":"input","stream":1,"x":[0.5,1]}'); // { type: 'input', stream: 1, x: [[0.5, 1]] }
 * ```
 */
import { describe, type IoField } from '@rxrnn/core';
import { wsError, WsErrorCodes, MAX_SEQ, TRANSPORT_OPTIONS, type ClientMessage, type StreamOptions } from './protocol.js';

/** The names a server accepts beyond the fixed fields of each message type, with their wire checks. */
export interface Grammar {
  /** Fields of an `input` message (exactly one per message). `x` is the protocol's own: rows of numbers. */
  readonly inputs: ReadonlyMap<string, IoField>;
  /** `open` options beyond the transport's (`outputs`, `extras`, `format`, `snapshot`, `seq`, `last`). */
  readonly options: ReadonlyMap<string, IoField>;
  /** Options of a `generate` message beyond `n`. */
  readonly loopOptions: ReadonlyMap<string, IoField>;
}

/** Deepest nesting of arrays and objects in a message: a snapshot needs 4, rows of `x` 2. */
export const MAX_DEPTH = 32;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SEQ;
const isNonNegInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNum = (v: unknown) => typeof v === 'number';
const check = (ok: (v: unknown) => boolean, expected: string): IoField => ({ check: ok, expected });

const COUNT = check(isNonNegInt, 'an integer ≥ 0');
const TEMPERATURE = check((v) => isNum(v) && (v as number) >= 0 && Number.isFinite(v), 'a finite number ≥ 0');

/** The grammar of `rxrnn.v1` as written in docs/protocol.md. */
export const V1_GRAMMAR: Grammar = {
  inputs: new Map([
    ['x', check(Array.isArray, 'an array of numbers, or an array of such arrays')],
    ['text', check((v) => typeof v === 'string', 'a string')],
    ['ids', check(Array.isArray, 'an array of token ids')],
  ]),
  options: new Map([
    ['prime', check((v) => typeof v === 'string', 'a string')],
    ['generate', COUNT],
    ['temperature', TEMPERATURE],
    ['seed', COUNT],
  ]),
  loopOptions: new Map([
    ['temperature', TEMPERATURE],
    ['seed', COUNT],
  ]),
};

/** `base` plus more names; a name already in `base` keeps its check. */
export function extendGrammar(base: Grammar, more: { inputs?: Record<string, IoField>; options?: Record<string, IoField>; loopOptions?: Record<string, IoField> }): Grammar {
  const add = (m: ReadonlyMap<string, IoField>, extra: Record<string, IoField> = {}) => new Map([...Object.entries(extra), ...m]);
  return { inputs: add(base.inputs, more.inputs), options: add(base.options, more.options), loopOptions: add(base.loopOptions, more.loopOptions) };
}

/**
 * Whether JSON text nests arrays/objects deeper than `max`: a scan of its brackets (outside
 * strings), so a hostile message is refused before `JSON.parse` builds it and before anything
 * walks it recursively.
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

function field<T>(fn: string, m: Record<string, unknown>, name: string, spec: IoField, optional = false): T {
  const v = m[name];
  if (v === undefined && optional) return undefined as T;
  if (!spec.check(v)) throw wsError(WsErrorCodes.PROTOCOL, fn, name, spec.expected, describe(v));
  return v as T;
}

const TRANSPORT: Record<(typeof TRANSPORT_OPTIONS)[number], IoField> = {
  outputs: check((v) => typeof v === 'boolean', 'a boolean'),
  extras: check((v) => typeof v === 'boolean' || (Array.isArray(v) && v.every((s) => typeof s === 'string')), 'a boolean or an array of names'),
  format: check((v) => v === 'json' || v === 'binary', "'json' or 'binary'"),
  snapshot: check(isObj, 'a state snapshot object'),
  seq: check(isU32, `an integer in [0, ${MAX_SEQ}]`),
  last: check((v) => Array.isArray(v) && v.every(isNum), 'an array of numbers'),
};

function parseOptions(fn: string, o: unknown, grammar: Grammar): StreamOptions {
  if (o === undefined) return {};
  if (!isObj(o)) throw wsError(WsErrorCodes.PROTOCOL, fn, 'options', 'an object', describe(o));
  const known = [...TRANSPORT_OPTIONS, ...grammar.options.keys()];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw wsError(WsErrorCodes.UNKNOWN, fn, `options.${k}`, `one of ${known.join(', ')}`, JSON.stringify(k));
  const f = `${fn}.options`;
  const out: StreamOptions = {};
  for (const [k, spec] of Object.entries(TRANSPORT)) out[k] = field(f, o, k, spec, true);
  for (const [k, spec] of grammar.options) out[k] = field(f, o, k, spec, true);
  return out;
}

/**
 * Parse and validate a client's JSON text frame against `grammar` (default: rxrnn.v1's). Throws a
 * coded `RxrnnError`; the thrown error carries `stream`/`req` (when they could be read) so the
 * reply can name them.
 */
export function parseClientMessage(text: string, grammar: Grammar = V1_GRAMMAR): ClientMessage {
  const fn = 'parseClientMessage';
  if (jsonDeeperThan(text, MAX_DEPTH)) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', `JSON nested at most ${MAX_DEPTH} deep`, 'deeper nesting');
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', 'a JSON message', `unparseable JSON (${(e as Error).message.slice(0, 80)})`);
  }
  if (!isObj(m)) throw wsError(WsErrorCodes.PROTOCOL, fn, 'frame', 'a JSON object', describe(m));
  const type = m.type;
  const f = `${fn}(${typeof type === 'string' ? type.slice(0, 20) : '?'})`;
  const stream = field<number>(f, m, 'stream', check(isU32, 'a stream id (an integer in [0, 2³²))'));
  const req = field<number | undefined>(f, m, 'req', COUNT, true);
  try {
    switch (type) {
      case 'open':
        return { type, stream, req, model: field(f, m, 'model', check((v) => typeof v === 'string', 'a model name')), options: parseOptions(f, m.options, grammar) };
      case 'input': {
        const names = [...grammar.inputs.keys()];
        const has = names.filter((k) => m[k] !== undefined);
        if (has.length !== 1) throw wsError(WsErrorCodes.PROTOCOL, f, names.join('|'), `exactly one of ${names.join(', ')}`, has.length ? has.join(' and ') : 'none');
        const name = has[0];
        if (name === 'x') {
          // [X] (one step) or [[X], …] (several steps); values are checked by the model's io adapter.
          const x = m.x;
          const rows = Array.isArray(x) && x.length > 0 && Array.isArray(x[0]) ? x : [x];
          for (const r of rows) if (!Array.isArray(r) || r.length === 0) throw wsError(WsErrorCodes.PROTOCOL, f, 'x', 'an array of numbers, or an array of such arrays', describe(x));
          return { type, stream, req, x: rows as number[][] };
        }
        return { type, stream, req, [name]: field(f, m, name, grammar.inputs.get(name)!) };
      }
      case 'generate': {
        const out: Extract<ClientMessage, { type: 'generate' }> = { type, stream, req, n: field(f, m, 'n', COUNT) };
        for (const [k, spec] of grammar.loopOptions) out[k] = field(f, m, k, spec, true);
        return out;
      }
      case 'reset':
      case 'snapshot':
      case 'close':
        return { type, stream, req };
      case 'restore':
        return {
          type,
          stream,
          req,
          snapshot: field(f, m, 'snapshot', TRANSPORT.snapshot),
          seq: field(f, m, 'seq', TRANSPORT.seq, true),
          last: field(f, m, 'last', TRANSPORT.last, true),
        };
      default:
        throw wsError(WsErrorCodes.PROTOCOL, fn, 'type', 'one of open, input, generate, reset, snapshot, restore, close', describe(type));
    }
  } catch (e) {
    throw Object.assign(e as Error, { stream, req });
  }
}

/**
 * The model I/O adapter contract: how a client's input becomes a step's input row, how a step's
 * output becomes a message, which extras a model offers and which decode loops it runs.
 *
 * A transport (the WebSocket server of @rxrnn/ws, or any other) knows no model kinds: it asks the
 * model's {@link ModelAdapter}. An adapter is made once per model, from the `io` object its model
 * file declares (`{ kind: 'char', vocab, unknown }`), by the {@link AdapterFactory} registered for
 * that kind; it opens one {@link StreamIo} per stream, which holds the stream's own io state (a
 * sampler's RNG, an audio stream's partial frame, a beam's scores) between messages.
 *
 *     client message ──decode──▶ rows [x: Float32Array [X], …] ──▶ batched cell.step ──▶ y [Y], extras
 *                                          ▲                                               │
 *                          loop.next(last) └───────────────── (decode loops) ◀─────────────┤
 *     client ◀── message fields ◀──encode────────────────────────────────────────────────────┘
 *
 * Pure data in, pure data out: no tensors, no sockets, no Node APIs, so browsers share it.
 * Errors are core's {@link RxrnnError}s with stable codes: `E_SIZE`, `E_DTYPE`, `E_NONFINITE`,
 * `E_ARGUMENT`; the transport's limit errors come from {@link DecodeContext.admit}.
 *
 * ```ts
 * const adapter = vectorAdapter({ kind: 'vector' }, { name: 'demo', inputSize: 2, outputSize: 3 });
 * const io = adapter.open({}, { fn: 'open(demo)', admit: () => undefined }).io;
 * const rows = io.decode({ x: [[1, 0], [0, 1]] }, { fn: 'input(demo)', admit: (n) => console.log(n, 'rows') });
 * // …step the cell on rows[t].x, then:
 * io.encode({ row: rows[0], y: Float32Array.of(0.1, 0.2, 0.3) }, { y: true, extras: null }); // { y: [0.1…, 0.2…, 0.3…] }
 * ```
 */

/** A JSON value: what adapters put on the wire. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: message fields, a model's `io` description. */
export type JsonObject = { [key: string]: JsonValue };

/** The shape of the model an adapter serves. */
export interface IoModel {
  /** The model's name (for error messages). */
  readonly name: string;
  /** Floats per step input `[X]`. */
  readonly inputSize: number;
  /** Floats per step output `[Y]`. */
  readonly outputSize: number;
}

/**
 * The wire check of a field the transport's protocol does not know (an adapter's own input field,
 * `open` option or loop option): the transport rejects a value failing `check` before the
 * adapter sees it, saying what was `expected`.
 */
export interface IoField {
  check(value: unknown): boolean;
  /** In words, for the error: `'a string'`, `'an integer ≥ 0'`. */
  readonly expected: string;
}

/** Element types of a binary input payload (little-endian on the wire). */
export type IoDtype = 'float32' | 'int16';

/** A binary input frame's payload, in host order: float32 values, or signed 16-bit samples (PCM16). */
export type IoPayload = { readonly dtype: 'float32'; readonly data: Float32Array } | { readonly dtype: 'int16'; readonly data: Int16Array };

/**
 * One step's input, decoded: `x` `[X]` is what the cell steps on; an adapter may add its own
 * fields (the character fed, a frame's time), which {@link StreamIo.encode} sees again with the
 * step's output.
 */
export interface IoRow {
  readonly x: Float32Array;
}

/** What a transport passes to each decode. */
export interface DecodeContext {
  /** The name errors should carry, e.g. `'input(char-rnn)'`. */
  readonly fn: string;
  /**
   * Announce how many rows the input will decode to, before allocating them. Throws the
   * transport's limit error (queued steps, rate, queued bytes) when they do not fit; an adapter
   * must call it once per decode, with the exact count, before building the rows.
   */
  admit(rows: number): void;
}

/** A step's result, as the adapter's {@link StreamIo.encode} receives it. */
export interface IoStep<R extends IoRow = IoRow> {
  /** The row that was stepped (as the adapter decoded it, or as its loop chose it). */
  readonly row: R;
  /** The step's output `[Y]` (for a char model: the logits). */
  readonly y: Float32Array;
  /** The cell's extras `[·]` by name (gate activations, attention, memory), when the stream asked for any. */
  readonly extras?: Readonly<Record<string, Float32Array>>;
}

/** What the client asked to receive, per step. */
export interface EncodeWants {
  /** Send `y` in the JSON message (false when it goes as a binary frame, or `outputs: false`). */
  readonly y: boolean;
  /** Extras to send: all (`true`), the named ones, or none (`null`). */
  readonly extras: true | ReadonlySet<string> | null;
}

/**
 * A decode loop (e.g. `generate`): chooses each step's input from the previous step's output
 * (sampling a character from logits, extending a beam, stopping at an end token).
 */
export interface DecodeLoop<R extends IoRow = IoRow> {
  /** The next row from the last output `[Y]`; `null` ends the loop early (an end token, an endpoint). */
  next(last: Float32Array): R | null;
}

/** A decode loop asked for by `open` options (e.g. `{ prime, generate: 100 }`): run `steps` steps of `loop`. */
export interface LoopStart<R extends IoRow = IoRow> {
  /** Its name, as a message type would name it (`'generate'`): acknowledgements say `of: name`. */
  readonly name: string;
  readonly steps: number;
  readonly loop: DecodeLoop<R>;
}

/**
 * One stream's io: decodes its inputs, encodes its outputs, runs its decode loops. Holds the
 * stream's io state between calls (an RNG, a partial audio frame); made by {@link ModelAdapter.open}.
 */
export interface StreamIo<R extends IoRow = IoRow> {
  /**
   * Rows from a JSON `input` message: `fields` holds the one input field the client sent, among
   * the adapter's {@link ModelAdapter.inputs} (`x` arrives as rows: `number[][]`, values unchecked).
   * Validates sizes, types and values (finite as float32) before allocating; calls `ctx.admit`.
   */
  decode(fields: Readonly<Record<string, unknown>>, ctx: DecodeContext): R[];
  /** Rows from a binary input frame's payload (a dtype among {@link ModelAdapter.binary}); same rules. */
  decodeBinary(payload: IoPayload, ctx: DecodeContext): R[];
  /**
   * The fields of a step's output message after `type`, `stream` and `seq` (e.g. `y`, `extras`,
   * `token`, a transcript). Return `{}` for nothing beyond the step itself.
   */
  encode(step: IoStep<R>, wants: EncodeWants): JsonObject;
  /**
   * Start a decode loop named by a message type (one of {@link ModelAdapter.loops}) with the
   * message's options (only the names the adapter declared for it, already wire-checked).
   */
  loop?(name: string, options: Readonly<Record<string, unknown>>, fn: string): DecodeLoop<R>;
  /** The stream was reset to its initial state: drop io state that belongs to the old one (a partial frame). */
  reset?(): void;
}

/** What {@link ModelAdapter.open} gives back: the stream's io, and work its `open` options asked for. */
export interface OpenedIo<R extends IoRow = IoRow> {
  readonly io: StreamIo<R>;
  /** Rows to step first (a char model's `prime`), decoded within the budget. */
  readonly rows?: R[];
  /** A decode loop to run after them (a char model's `generate`). */
  readonly loop?: LoopStart<R>;
}

/**
 * A model's adapter: what the transport may accept for this model and how to open a stream's io.
 * Every name it declares is a name of the transport's protocol (`x`, `text`, `prime`…) or one it
 * describes in {@link ModelAdapter.fields}.
 */
export interface ModelAdapter<R extends IoRow = IoRow> {
  /** The io kind (`'vector'`, `'char'`, `'speech'`…): the model file's `io.kind`. */
  readonly kind: string;
  /** The model's io as clients see it (`welcome`, `opened`): JSON-safe, starts with `kind`. */
  readonly info: JsonObject;
  /** Fields of a JSON `input` message it decodes (exactly one per message): `['x']`, `['x', 'text', 'ids']`. */
  readonly inputs: readonly string[];
  /** Binary payload element types it decodes; empty: no binary input. */
  readonly binary: readonly IoDtype[];
  /** `open` options it reads, beyond the transport's own (`prime`, `generate`, `temperature`, `seed`). */
  readonly options: readonly string[];
  /** Decode loops by message type, each with the message options it reads: `{ generate: ['temperature', 'seed'] }`. */
  readonly loops: Readonly<Record<string, readonly string[]>>;
  /** Extras it adds beyond the cell's own (an attention map reshaped, a transcript's alignment). */
  readonly extras: readonly string[];
  /** Whether a step's `y` is sent by default (`open`'s `outputs`): true for vectors, false for token logits. */
  readonly outputs: boolean;
  /** Wire checks of the names above that the transport's protocol does not define itself. */
  readonly fields?: Readonly<Record<string, IoField>>;
  /** Open one stream's io with the client's `open` options (only the names in `options`, wire-checked). */
  open(options: Readonly<Record<string, unknown>>, ctx: DecodeContext): OpenedIo<R>;
}

/** Makes a model's adapter from the `io` its model file declares (`{ kind, … }`) and the model's shape. */
export type AdapterFactory = (io: Readonly<Record<string, unknown>>, model: IoModel) => ModelAdapter;

/** Whether a value is a {@link ModelAdapter} (rather than a declared `io` object). */
export function isModelAdapter(value: unknown): value is ModelAdapter {
  const v = value as Partial<ModelAdapter> | null;
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.open === 'function' && Array.isArray(v.inputs);
}

/**
 * A session model's adapter: for a model whose per-stream work is not one batched cell step but a
 * whole computation per input (an encoder–decoder reads the whole source, then searches), given as
 * an RxJS Observable. The transport still owns the wire grammar (inputs, options and their `fields`
 * checks), every limit, `seq` and the error frames; the adapter owns the model. No cell, no batcher:
 * each input message becomes one queued operation, run in order per stream.
 */
export interface SessionAdapter {
  /** The io kind (`'translate'`…): the model file's `io.kind`. */
  readonly kind: string;
  /** What clients see as the model's `kind` (`'seq2seq'`), beside `io`. */
  readonly modelKind: string;
  /** The model's io as clients see it (`welcome`, `opened`): JSON-safe, starts with `kind`. */
  readonly info: JsonObject;
  /** Fields of a JSON `input` message it reads (exactly one per message): `['text']`. */
  readonly inputs: readonly string[];
  /** `open` options it reads (`beam`…), wire-checked by `fields` when the protocol does not define them. */
  readonly options: readonly string[];
  /** Extras it can send (`attention`). */
  readonly extras: readonly string[];
  readonly fields?: Readonly<Record<string, IoField>>;
  /**
   * Open one stream: checks the options (typed errors, nothing allocated). `wants`: what the stream
   * asked to receive (its `extras`), for work the options start (a `text` to translate at once).
   */
  open(options: Readonly<Record<string, unknown>>, ctx: DecodeContext, wants?: EncodeWants): SessionIo;
}

/** One stream of a session model. */
export interface SessionIo {
  /**
   * The work of one input message: validates `fields` synchronously (typed errors, before any
   * allocation; `ctx.admit(1)` is the transport's budget) and returns the cold Observable of its
   * output messages' fields (after `type`, `stream`, `seq`). Unsubscribing frees everything.
   */
  run(fields: Readonly<Record<string, unknown>>, ctx: DecodeContext, wants: EncodeWants): SessionWork;
  /** Work the `open` options asked for (already checked by `open`), run before any input. */
  readonly first?: SessionWork;
  /** The stream closed: drop what it holds. */
  close?(): void;
}

/** A session's work: subscribe to run it (an rxjs Observable fits). */
export interface SessionWork {
  subscribe(observer: { next: (fields: JsonObject) => void; error: (e: unknown) => void; complete: () => void }): { unsubscribe(): void };
}

/** Whether a value is a {@link SessionAdapter}. */
export function isSessionAdapter(value: unknown): value is SessionAdapter {
  const v = value as Partial<SessionAdapter> | null;
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.modelKind === 'string' && typeof v.open === 'function' && Array.isArray(v.inputs);
}

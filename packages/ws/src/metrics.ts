/**
 * Counters, gauges and histograms rendered in the Prometheus text exposition format (0.0.4).
 * Small and dependency-free; the server owns one {@link Metrics}.
 */

/** A cumulative histogram with fixed upper bounds. */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array(bounds.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]) this.counts[i]++;
  }
  /** The smallest bound below which a fraction `q` of observations fall (an upper estimate). */
  quantile(q: number): number {
    const want = q * this.count;
    for (let i = 0; i < this.bounds.length; i++) if (this.counts[i] >= want) return this.bounds[i];
    return Infinity;
  }
  render(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    this.bounds.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum}`, `${name}_count ${this.count}`);
    return lines.join('\n');
  }
}

export interface MetricsSnapshot {
  sockets: number;
  streams: number;
  paused: number;
  queued: number;
  stepsPerSecond: number;
  /** Bytes of queued work (inputs and operations) on the server. */
  queuedBytes?: number;
  /** Bytes written to sockets and not yet sent (the sum of their `bufferedAmount`). */
  bufferedBytes?: number;
  /** Live tfjs tensors, their bytes, and the backend's heap (leaks show here). */
  tensors?: number;
  tensorBytes?: number;
  heapBytes?: number;
  /** The process's resident set size. */
  rssBytes?: number;
}

/** The server's metrics. */
export class Metrics {
  /** Batched steps (one `cell.step` call each). */
  batchedSteps = 0;
  /** Stream steps (one per stream per step). */
  streamSteps = 0;
  socketsTotal = 0;
  streamsTotal = 0;
  readonly errors = new Map<string, number>();
  readonly closes = new Map<number, number>();
  /** Streams per batched step. */
  readonly batchSize = new Histogram([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  /** Seconds from an input's arrival to its output being sent. */
  readonly latency = new Histogram([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  private window: { t: number; steps: number }[] = [];

  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }
  closed(code: number): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
  }

  /** Stream steps per second over the last ~10 s. */
  stepsPerSecond(now = Date.now()): number {
    this.window.push({ t: now, steps: this.streamSteps });
    while (this.window.length > 2 && now - this.window[1].t > 10_000) this.window.shift();
    const first = this.window[0];
    const dt = (now - first.t) / 1000;
    return dt > 0 ? (this.streamSteps - first.steps) / dt : 0;
  }

  render(g: MetricsSnapshot): string {
    const gauge = (name: string, help: string, v: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${v}`;
    const optional = (name: string, help: string, v: number | undefined) => (v === undefined ? [] : [gauge(name, help, v)]);
    const counter = (name: string, help: string, v: number) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${v}`;
    const labelled = (name: string, help: string, label: string, m: Map<string | number, number>) =>
      [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...[...m].map(([k, v]) => `${name}{${label}="${k}"} ${v}`)].join('\n');
    return (
      [
        gauge('rxrnn_sockets', 'Open WebSocket connections.', g.sockets),
        gauge('rxrnn_streams', 'Open streams.', g.streams),
        gauge('rxrnn_paused_sockets', 'Sockets paused by backpressure.', g.paused),
        gauge('rxrnn_queued_steps', 'Input steps queued and not yet stepped.', g.queued),
        gauge('rxrnn_steps_per_second', 'Stream steps per second over the last ~10 s.', Math.round(g.stepsPerSecond * 100) / 100),
        ...optional('rxrnn_queued_bytes', 'Bytes of queued work (inputs and operations).', g.queuedBytes),
        ...optional('rxrnn_buffered_bytes', 'Bytes written to sockets and not yet sent.', g.bufferedBytes),
        ...optional('rxrnn_tensors', 'Live tfjs tensors (tf.memory().numTensors).', g.tensors),
        ...optional('rxrnn_tensor_bytes', 'Bytes of live tfjs tensors.', g.tensorBytes),
        ...optional('rxrnn_backend_heap_bytes', "The tfjs backend's heap (the WebAssembly memory on wasm).", g.heapBytes),
        ...optional('rxrnn_process_rss_bytes', "The server process's resident set size.", g.rssBytes),
        counter('rxrnn_stream_steps_total', 'Stream steps (one per stream per time step).', this.streamSteps),
        counter('rxrnn_batched_steps_total', 'Batched cell steps (one cell.step call each).', this.batchedSteps),
        counter('rxrnn_sockets_total', 'Sockets accepted.', this.socketsTotal),
        counter('rxrnn_streams_total', 'Streams opened.', this.streamsTotal),
        labelled('rxrnn_errors_total', 'Error frames sent, by code.', 'code', this.errors),
        labelled('rxrnn_closes_total', 'Sockets closed by the server, by close code.', 'code', this.closes),
        this.batchSize.render('rxrnn_batch_size', 'Streams per batched step.'),
        this.latency.render('rxrnn_step_latency_seconds', 'Time from an input arriving to its output being sent.'),
      ].join('\n') + '\n'
    );
  }
}

/**
 * Soak test of the streaming server (issue 14): many well-behaved streams plus a hostile client on
 * loopback for minutes, recording over time the server's RSS, live tensors, wasm heap and backend
 * health, the streams' p50/p99 step latency, every error, and bystander corruption.
 *
 * - The server is apps/server (`startServer`, the shipped models and default limits) in a child
 *   process (tools/bench/soak-server.ts), which reports its RSS, tensors, heap and
 *   `backendHealth()` once a second over IPC; its log is counted, not printed.
 * - `--streams` load streams over `--sockets` sockets step `demo-lstm` with binary frames, paced at
 *   `--rate` steps per second each (one step in flight per stream).
 * - `--bystanders` more streams (JSON) step seeded random inputs; each output is compared, bit for
 *   bit, with the same inputs stepped alone in this process (core's batcher, one session each).
 * - The hostile client cycles through the attacks of issue 14 (forged snapshots, values beyond
 *   float32, malformed and deeply nested frames, connection churn, oversized frames, a client that
 *   never reads, queue floods, huge echoed names), one every 250 ms.
 *
 * Writes `<out>.json` (every sample and a summary) and `<out>.svg`/`.png` (the figure).
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/soak.ts --minutes 10 --streams 1000
 *         [--sockets 50] [--rate 10] [--bystanders 8] [--interval 10] [--attacks all|none|a,b]
 *         [--out tools/bench/results/soak-<date>]
 *     npx tsx --conditions=@rxrnn/source tools/bench/soak.ts --replot <results.json>   (the figure only)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import WebSocket from 'ws';
import { initBackend, createBatcher, createRng, type Batcher, type BatchSession } from '@rxrnn/core';
import { PROTOCOL, encodeInputFrame, decodeFrame } from '@rxrnn/ws';
import { loadModels, isCellModel, disposeServed } from '@rxrnn/server';
import type { HostedModel } from '@rxrnn/ws';
import { writeLineChartPanels, type LineSeries } from '@rxrnn/text';
import type { ServerSample } from './soak-server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ATTACKS = ['forged-snapshot', 'float32-overflow', 'malformed', 'churn', 'oversize', 'slow-reader', 'queue-flood', 'name-flood'] as const;
type Attack = (typeof ATTACKS)[number];

const program = new Command('soak')
  .option('--minutes <m>', 'length of the run', parseFloat, 10)
  .option('--streams <n>', 'well-behaved load streams', (v) => parseInt(v, 10), 1000)
  .option('--sockets <n>', 'sockets the load streams are spread over', (v) => parseInt(v, 10), 50)
  .option('--rate <r>', 'steps per second per stream', parseFloat, 10)
  .option('--bystanders <n>', 'streams checked bit for bit against stepping alone', (v) => parseInt(v, 10), 8)
  .option('--interval <s>', 'seconds between samples', parseFloat, 10)
  .option('--attacks <list>', `"all", "none" or a comma list of ${ATTACKS.join(', ')}`, 'all')
  .option('--model <name>', 'vector model in models/', 'demo-lstm')
  .option('--out <base>', 'write <base>.json, <base>.svg and <base>.png')
  .option('--replot <file.json>', 'only draw the figure of an earlier run')
  .parse();
const opts = program.opts<{ minutes: number; streams: number; sockets: number; rate: number; bystanders: number; interval: number; attacks: string; model: string; out?: string; replot?: string }>();
const attacks: Attack[] = opts.attacks === 'all' ? [...ATTACKS] : opts.attacks === 'none' ? [] : (opts.attacks.split(',') as Attack[]);
for (const a of attacks) if (!ATTACKS.includes(a)) throw new Error(`soak: --attacks: unknown attack ${JSON.stringify(a)} (one of ${ATTACKS.join(', ')})`);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The q-quantile of ascending values (nearest rank). */
const rank = (sorted: number[], q: number) => (sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] : NaN);

// ---- the server process ----

interface ServerProcess {
  child: ChildProcess;
  wsUrl: string;
  latest: ServerSample | null;
  logBytes: number;
  logTail: string[];
}

function startServer(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(root, 'tools/bench/soak-server.ts'), '--port', '0', '--no-web', '--drain-timeout-ms', '2000'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const sp: ServerProcess = { child, wsUrl: '', latest: null, logBytes: 0, logTail: [] };
  const log = (d: Buffer) => {
    sp.logBytes += d.length;
    sp.logTail.push(String(d).split(`${root}/`).join('').slice(0, 300)); // (paths relative to the repository)
    if (sp.logTail.length > 20) sp.logTail.shift();
  };
  child.stdout!.on('data', log);
  child.stderr!.on('data', log);
  return new Promise((resolve, reject) => {
    child.on('message', (m: { type: string; wsUrl?: string }) => {
      if (m.type === 'ready') {
        sp.wsUrl = m.wsUrl!;
        sp.logBytes = 0; // count what the run writes, not the start-up banner
        resolve(sp);
      } else if (m.type === 'sample') sp.latest = m as ServerSample;
    });
    child.on('exit', (code) => reject(new Error(`soak-server exited (${code}): ${sp.logTail.join('')}`)));
  });
}

async function openSocket(url: string, read = true): Promise<WebSocket> {
  const ws = new WebSocket(url, PROTOCOL, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  if (!read) ws.pause();
  return ws;
}

// ---- counters of one sampling interval, and of the run ----

const now = () => performance.now();
const counts = { steps: 0, latencies: [] as number[], loadErrors: 0, loadCloses: 0, bystanderSteps: 0, mismatches: 0, bystanderErrors: 0, stalls: 0, attacks: 0, hostileErrors: 0, hostileInternal: 0 };
const errorCodes = new Map<string, number>();
let firstMismatch: string | undefined;
let running = true;

// ---- well-behaved load ----

interface Paced {
  id: number;
  waiting: boolean;
  sentAt: number;
  next: number;
}

async function startLoad(url: string, X: number): Promise<WebSocket[]> {
  const period = 1000 / opts.rate;
  const perSocket = Math.ceil(opts.streams / opts.sockets);
  const input = Float32Array.from({ length: X }, (_, i) => Math.sin(i + 1));
  const sockets: WebSocket[] = [];
  const start = now();
  await Promise.all(
    Array.from({ length: opts.sockets }, async (_, k) => {
      const n = Math.min(perSocket, opts.streams - k * perSocket);
      if (n <= 0) return;
      const ws = await openSocket(url);
      sockets.push(ws);
      const streams = new Map<number, Paced>();
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) {
          const s = streams.get(decodeFrame(new Uint8Array(data)).stream);
          if (!s) return;
          s.waiting = false;
          counts.steps++;
          counts.latencies.push(now() - s.sentAt);
          return;
        }
        const m = JSON.parse(String(data));
        if (m.type === 'opened') streams.get(m.stream)!.waiting = false;
        else if (m.type === 'error' || m.type === 'closed') {
          counts.loadErrors++;
          errorCodes.set(`load ${m.code ?? m.reason}`, (errorCodes.get(`load ${m.code ?? m.reason}`) ?? 0) + 1);
        }
      });
      ws.on('close', () => running && counts.loadCloses++);
      for (let i = 0; i < n; i++) {
        const id = k * perSocket + i + 1;
        streams.set(id, { id, waiting: true, sentAt: 0, next: start + (period * (id % 97)) / 97 });
        ws.send(JSON.stringify({ type: 'open', stream: id, model: opts.model, options: { format: 'binary' } }));
      }
      const pace = setInterval(() => {
        if (!running) return clearInterval(pace);
        const t = now();
        for (const s of streams.values()) {
          if (s.waiting || t < s.next) continue;
          s.waiting = true;
          s.sentAt = t;
          s.next = Math.max(s.next + period, t - 1000); // keep the pace; never burst more than a second's worth
          if (ws.readyState === WebSocket.OPEN) ws.send(encodeInputFrame(s.id, input));
        }
      }, 5);
    }),
  );
  return sockets;
}

// ---- bystanders: every output checked against stepping alone ----

async function startBystanders(url: string, X: number, reference: Batcher<number>): Promise<WebSocket> {
  const ws = await openSocket(url);
  const period = 1000 / opts.rate;
  const streams = Array.from({ length: opts.bystanders }, (_, i) => ({ id: i + 1, rng: createRng(1000 + i), session: reference.join() as BatchSession, expected: [] as Float32Array[], waiting: true, sentAt: 0, next: now() + (period * i) / opts.bystanders, stalled: false }));
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(String(data));
    const s = streams[m.stream - 1];
    if (!s) return;
    if (m.type === 'opened') s.waiting = false;
    else if (m.type === 'output') {
      const want = s.expected.shift()!;
      counts.bystanderSteps++;
      if (!(m.y.length === want.length && m.y.every((v: number, i: number) => v === want[i]))) {
        counts.mismatches++;
        firstMismatch ??= `bystander ${s.id} seq ${m.seq}: got [${m.y.join(', ')}], alone [${Array.from(want).join(', ')}]`;
      }
      s.waiting = false;
      s.stalled = false;
    } else if (m.type === 'error' || m.type === 'closed') counts.bystanderErrors++;
  });
  for (const s of streams) ws.send(JSON.stringify({ type: 'open', stream: s.id, model: opts.model }));
  const pace = setInterval(() => {
    if (!running) return clearInterval(pace);
    const t = now();
    for (const s of streams) {
      if (s.waiting) {
        if (!s.stalled && s.sentAt && t - s.sentAt > 5000) {
          s.stalled = true;
          counts.stalls++;
        }
        continue;
      }
      if (t < s.next) continue;
      const x = Float32Array.from({ length: X }, () => s.rng.uniform(-1, 1));
      reference.push(s.session, x, s.id);
      const [r] = reference.flush();
      s.expected.push(r.y);
      s.waiting = true;
      s.sentAt = t;
      s.next = Math.max(s.next + period, t - 1000);
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'input', stream: s.id, x: Array.from(x) }));
    }
  }, 5);
  return ws;
}

// ---- the hostile client ----

async function runHostile(url: string, X: number): Promise<void> {
  if (attacks.length === 0) return;
  let h: WebSocket | null = null;
  const held: WebSocket[] = []; // sockets an attack keeps for a while (a client that never reads…)
  const hostile = async () => {
    if (h && h.readyState === WebSocket.OPEN) return h;
    h = await openSocket(url);
    h.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(String(data));
      if (m.type !== 'error') return;
      counts.hostileErrors++;
      if (m.code === 'E_INTERNAL') counts.hostileInternal++;
      errorCodes.set(`hostile ${m.code}`, (errorCodes.get(`hostile ${m.code}`) ?? 0) + 1);
    });
    h.send(JSON.stringify({ type: 'open', stream: 1, model: opts.model }));
    return h;
  };
  const hold = (ws: WebSocket, ms: number) => {
    held.push(ws);
    setTimeout(() => ws.terminate(), ms).unref();
  };
  const nested = (d: number) => '['.repeat(d) + ']'.repeat(d);
  const row = (v: number) => Array.from({ length: X }, (_, i) => (i === 0 ? v : 0));
  let n = 0;
  const run: Record<Attack, () => Promise<void>> = {
    'forged-snapshot': async () => {
      (await hostile()).send(JSON.stringify({ type: 'open', stream: 1000 + (n % 100), model: opts.model, options: { snapshot: { format: 'rxrnn.state', version: 1, kind: 'stack', batch: n % 2 ? 4_000_000 : 17_000_000, tensors: {} } } }));
    },
    'float32-overflow': async () => {
      (await hostile()).send(JSON.stringify({ type: 'input', stream: 1, x: [row(1e308), row(0.5)] }));
    },
    malformed: async () => {
      const frames = ['not json', '{"type":"open"}', '[1,2,3]', `{"type":"input","stream":1,"x":[[1,2,3,${nested(20_000)}]]}`, '{"type":"input","stream":1,"x":[[1,2,3,"a"]]}', encodeInputFrame(1, new Float32Array(X + 1)), Uint8Array.of(9, 9, 9)];
      (await hostile()).send(frames[n % frames.length]);
    },
    churn: async () => {
      const ws = await openSocket(url);
      for (let s = 0; s < 20; s++) ws.send(JSON.stringify({ type: 'open', stream: s, model: opts.model }));
      for (let s = 0; s < 20; s++) ws.send(JSON.stringify({ type: 'input', stream: s, x: [row(0.1), row(0.2), row(0.3)] }));
      ws.terminate();
    },
    oversize: async () => {
      const ws = await openSocket(url);
      ws.send(new Uint8Array((1 << 20) + 1));
      hold(ws, 2000);
    },
    'slow-reader': async () => {
      const ws = await openSocket(url, false);
      ws.send(JSON.stringify({ type: 'open', stream: 1, model: opts.model, options: { extras: true } }));
      ws.send(JSON.stringify({ type: 'input', stream: 1, x: Array.from({ length: 500 }, () => row(0.25)) }));
      hold(ws, 10_000);
    },
    'queue-flood': async () => {
      const ws = await openSocket(url);
      for (let s = 0; s < 64; s++) ws.send(JSON.stringify({ type: 'open', stream: s, model: opts.model, options: { format: 'binary', outputs: false } }));
      const steps = new Float32Array(X * 1000).fill(0.5);
      for (let s = 0; s < 64; s++) ws.send(encodeInputFrame(s, steps));
      hold(ws, 2000);
    },
    'name-flood': async () => {
      const ws = await openSocket(url, false);
      const big = JSON.stringify({ type: 'open', stream: 1, model: 'm'.repeat(900_000) });
      for (let i = 0; i < 5; i++) ws.send(big);
      hold(ws, 2000);
    },
  };
  while (running) {
    const a = attacks[n % attacks.length];
    try {
      await run[a]();
      counts.attacks++;
    } catch (e) {
      errorCodes.set(`attack ${a} failed: ${(e as Error).message.slice(0, 60)}`, (errorCodes.get(`attack ${a} failed: ${(e as Error).message.slice(0, 60)}`) ?? 0) + 1);
    }
    n++;
    await sleep(250);
  }
  for (const ws of held) ws.terminate();
  (h as WebSocket | null)?.terminate();
}

// ---- the run ----

interface Sample {
  /** Seconds since the start. */
  t: number;
  rssMiB: number;
  heapMiB: number;
  tensors: number;
  healthy: boolean;
  serverStreams: number;
  stepsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  loadErrors: number;
  bystanderSteps: number;
  bystanderMismatches: number;
  bystanderErrors: number;
  bystanderStalls: number;
  attacks: number;
  hostileErrors: number;
  hostileInternal: number;
  serverLogBytes: number;
}

/** The figure of a run: memory, tensors, latency and errors over time, stacked. */
function writeFigure(out: string, title: string, samples: Sample[]) {
  const series = (name: string, pick: (s: Sample) => number): LineSeries => ({ name, points: samples.map((s) => ({ x: s.t / 60, y: pick(s) })) });
  const x = { xTitle: 'minutes', zeroY: true };
  return writeLineChartPanels(out, title, [
    { series: [series('server RSS', (s) => s.rssMiB), series('wasm heap', (s) => s.heapMiB)], options: { title: 'memory', yTitle: 'MiB', ...x } },
    { series: [series('live tensors', (s) => s.tensors)], options: { title: 'tensors', yTitle: 'count', ...x, countY: true } },
    { series: [series('p50', (s) => s.p50Ms), series('p99', (s) => s.p99Ms)], options: { title: 'step latency (load streams)', yTitle: 'ms', ...x } },
    { series: [series('load errors', (s) => s.loadErrors), series('bystander mismatches', (s) => s.bystanderMismatches), series('bystander stalls', (s) => s.bystanderStalls), series('E_INTERNAL to the attacker', (s) => s.hostileInternal)], options: { title: 'errors (cumulative)', yTitle: 'count', ...x, countY: true } },
  ]);
}

async function main() {
  if (opts.replot) {
    const r = JSON.parse(readFileSync(opts.replot, 'utf8')) as { options: { streams: number; bystanders: number; minutes: number }; date: string; samples: Sample[] };
    const out = opts.replot.replace(/\.json$/, '');
    await writeFigure(out, `Soak: ${r.options.streams} streams + ${r.options.bystanders} bystanders + a hostile client, ${r.options.minutes} min (${r.date.slice(0, 10)})`, r.samples);
    console.error(`soak: wrote ${out}.svg, ${out}.png`);
    return;
  }
  await initBackend({ log: null });
  const date = new Date().toISOString();
  const out = opts.out ?? join(root, 'tools/bench/results', `soak-${date.slice(0, 16).replace(/[:T]/g, '-')}`);
  mkdirSync(dirname(out), { recursive: true });
  const all = loadModels(join(root, 'models')); // (the server loads them the same way: same kernels, same weights)
  const model = all.find((m): m is HostedModel => isCellModel(m) && m.name === opts.model && (m.io?.kind ?? 'vector') === 'vector');
  for (const m of all) if (m !== model) disposeServed(m);
  if (!model) throw new Error(`soak: --model: no vector model ${opts.model} in models/`);
  const X = model.cell.inputSize;
  const reference = createBatcher<number>(model.cell, { maxBatch: 1 });

  console.error(`soak: ${opts.streams} streams / ${opts.sockets} sockets at ${opts.rate} steps/s, ${opts.bystanders} bystanders, attacks: ${attacks.join(', ') || 'none'}; ${opts.minutes} min`);
  const server = await startServer();
  const t0 = now();
  const load = await startLoad(server.wsUrl, X);
  const bystanders = await startBystanders(server.wsUrl, X, reference);
  const hostile = runHostile(server.wsUrl, X);
  const samples: Sample[] = [];
  let logBefore = 0;
  const end = t0 + opts.minutes * 60_000;
  while (now() < end) {
    const from = now();
    await sleep(Math.min(opts.interval * 1000, end - now()));
    const seconds = (now() - from) / 1000;
    const lat = counts.latencies.splice(0).sort((a, b) => a - b);
    const s = server.latest;
    const sample: Sample = {
      t: Math.round((now() - t0) / 100) / 10,
      rssMiB: s ? s.rss / 2 ** 20 : NaN,
      heapMiB: s ? s.heapBytes / 2 ** 20 : NaN,
      tensors: s?.tensors ?? NaN,
      healthy: s?.healthy ?? false,
      serverStreams: s?.streams ?? NaN,
      stepsPerSecond: counts.steps / seconds,
      p50Ms: rank(lat, 0.5),
      p99Ms: rank(lat, 0.99),
      maxMs: lat.at(-1) ?? NaN,
      loadErrors: counts.loadErrors,
      bystanderSteps: counts.bystanderSteps,
      bystanderMismatches: counts.mismatches,
      bystanderErrors: counts.bystanderErrors,
      bystanderStalls: counts.stalls,
      attacks: counts.attacks,
      hostileErrors: counts.hostileErrors,
      hostileInternal: counts.hostileInternal,
      serverLogBytes: server.logBytes - logBefore,
    };
    logBefore = server.logBytes;
    counts.steps = 0;
    samples.push(sample);
    console.error(
      `  ${sample.t.toFixed(0).padStart(5)} s  RSS ${sample.rssMiB.toFixed(0)} MiB  heap ${sample.heapMiB.toFixed(0)} MiB  tensors ${sample.tensors}  ${sample.healthy ? 'healthy' : 'UNHEALTHY'}  ` +
        `${sample.stepsPerSecond.toFixed(0)} steps/s  p99 ${sample.p99Ms.toFixed(1)} ms  errors ${sample.loadErrors}  mismatches ${sample.bystanderMismatches}  stalls ${sample.bystanderStalls}  attacks ${sample.attacks}  log +${sample.serverLogBytes} B`,
    );
  }
  running = false;
  await hostile;
  await sleep(500);
  for (const ws of [...load, bystanders]) ws.terminate();
  const exited = new Promise<void>((r) => server.child.once('exit', () => r()));
  server.child.send('stop');
  await Promise.race([exited, sleep(15_000).then(() => server.child.kill('SIGKILL'))]);
  reference.dispose();
  model.cell.dispose();

  // ---- summary, results file, figure ----
  const warm = samples.find((s) => s.t >= Math.min(60, (opts.minutes * 60) / 4)) ?? samples[0];
  const last = samples.at(-1)!;
  const finite = (xs: number[]) => xs.filter(Number.isFinite);
  const summary = {
    rssMiB: { afterWarmUp: warm.rssMiB, end: last.rssMiB, max: Math.max(...finite(samples.map((s) => s.rssMiB))) },
    heapMiB: { afterWarmUp: warm.heapMiB, end: last.heapMiB },
    tensors: { min: Math.min(...finite(samples.map((s) => s.tensors))), max: Math.max(...finite(samples.map((s) => s.tensors))), end: last.tensors },
    unhealthySamples: samples.filter((s) => !s.healthy).length,
    p99Ms: { median: rank(finite(samples.map((s) => s.p99Ms)).sort((a, b) => a - b), 0.5), max: Math.max(...finite(samples.map((s) => s.p99Ms))) },
    stepsPerSecond: rank(samples.map((s) => s.stepsPerSecond).sort((a, b) => a - b), 0.5),
    loadErrors: last.loadErrors,
    loadSocketsClosed: counts.loadCloses,
    bystanderSteps: last.bystanderSteps,
    bystanderMismatches: last.bystanderMismatches,
    firstMismatch,
    bystanderErrors: last.bystanderErrors,
    bystanderStalls: last.bystanderStalls,
    attacks: last.attacks,
    hostileErrors: last.hostileErrors,
    hostileInternal: last.hostileInternal,
    serverLogBytes: server.logBytes,
    serverLogTail: server.logTail,
    errorsByCode: Object.fromEntries(errorCodes),
  };
  const command = `npx tsx --conditions=@rxrnn/source tools/bench/soak.ts ${process.argv.slice(2).join(' ')}`.trim();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; load average at the end ${loadavg().map((v) => v.toFixed(1)).join(' / ')}`;
  writeFileSync(`${out}.json`, JSON.stringify({ command, date, machine, options: { ...opts, attacks }, summary, samples }, null, 1) + '\n');
  await writeFigure(out, `Soak: ${opts.streams} streams + ${opts.bystanders} bystanders + a hostile client, ${opts.minutes} min (${date.slice(0, 10)})`, samples);
  console.error(`soak: wrote ${out}.json, ${out}.svg, ${out}.png`);
  console.error(JSON.stringify({ ...summary, serverLogTail: undefined }, null, 1));
}

main().catch((e) => {
  console.error('soak:', e);
  process.exit(1);
});

/**
 * Load benchmark of the streaming server: many concurrent streams over a few sockets on loopback,
 * with batching on (`--max-batch 64`) and off (`--max-batch 1`), one server process per mode.
 *
 * Each stream runs closed-loop: it sends one input step (a binary frame), waits for its output,
 * sends the next. Reported per mode: stream steps per second, p50/p99 step latency as the client
 * sees it (send → output received), the server's own latency histogram, batch sizes, and the
 * server process's RSS over the run (sampled from /proc). Bounded in time (`--seconds` per mode).
 *
 *     npx tsx --conditions=@rxrnn/source tools/bench/load.ts [--streams 1000] [--sockets 50]
 *         [--seconds 10] [--model demo-lstm] [--hidden H] [--out tools/bench/results/load-<date>.md]
 *
 * `--hidden H` benchmarks a synthetic LSTM(4→H) written to a temporary models directory instead.
 *
 * Then one row for a single stream generating: `--generate N` characters (default 500) on the char
 * model `--char-model` (default char-rnn, when models/ has it), `--generate-reps` times on one
 * socket of a fresh server (`open` with a prime and `generate`, timed from the `open` sent to the
 * `ack` of the generation received). Reported: milliseconds per character end to end (median and
 * range over the repetitions after two warm-up ones), and the server process's CPU time per
 * character (from /proc: it does not count time the machine gave to other work). `--modes none`
 * runs this row only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import WebSocket from 'ws';
import { PROTOCOL, encodeInputFrame, decodeFrame } from '@rxrnn/ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const program = new Command('load')
  .option('--streams <n>', 'concurrent streams', (v) => parseInt(v, 10), 1000)
  .option('--sockets <n>', 'sockets (streams are spread evenly)', (v) => parseInt(v, 10), 50)
  .option('--seconds <n>', 'measured seconds per mode (after a 2 s warm-up)', (v) => parseFloat(v), 10)
  .option('--model <name>', 'model in models/', 'demo-lstm')
  .option('--hidden <H>', 'benchmark a synthetic LSTM(4→H) instead', (v) => parseInt(v, 10))
  .option('--modes <list>', 'max-batch values to compare', '64,1')
  .option('--no-fused', 'serve with plain tfjs steps instead of the fused WebAssembly kernels')
  .option('--generate <n>', 'characters generated on one stream (0: skip that row)', (v) => parseInt(v, 10), 500)
  .option('--generate-reps <n>', 'repetitions of the generation (the first two are warm-up)', (v) => parseInt(v, 10), 12)
  .option('--char-model <name>', 'char model in models/ for the generation row', 'char-rnn')
  .option('--out <file>', 'write a Markdown report here')
  .parse();
const opts = program.opts<{ streams: number; sockets: number; seconds: number; model: string; hidden?: number; modes: string; out?: string; fused: boolean; generate: number; generateReps: number; charModel: string }>();

async function syntheticModels(H: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rxrnn-load-'));
  const { initBackend } = await import('@rxrnn/core');
  const { lstmCell, encodeModel } = await import('@rxrnn/cells');
  await initBackend({ log: null });
  const cell = lstmCell({ inputSize: 4, hiddenSize: H, seed: 1 });
  const { json, weights } = encodeModel(cell, { name: `lstm-${H}`, io: { kind: 'vector' } });
  cell.dispose();
  mkdirSync(join(dir, `lstm-${H}`));
  writeFileSync(join(dir, `lstm-${H}`, 'model.json'), json);
  writeFileSync(join(dir, `lstm-${H}`, 'weights.safetensors'), weights);
  return dir;
}

function startServer(modelsDir: string, maxBatch = 64): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@rxrnn/source', join(root, 'apps/server/src/main.ts'), '--port', '0', '--models', modelsDir, '--no-web', '--max-batch', String(maxBatch), '--max-inputs-per-second', '1000000', '--idle-timeout-ms', '0', ...(opts.fused ? [] : ['--no-fused'])],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /WebSocket\s+(ws:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

/** CPU time (user + system) of a process so far, in ms (from /proc; NaN elsewhere). */
const cpuOf = (pid: number): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
};

const rssOf = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
};

const median = (v: readonly number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface ModeResult {
  maxBatch: number;
  steps: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  rss: number[];
  serverMetrics: string;
  errors: number;
}

async function runMode(modelsDir: string, model: string, X: number, maxBatch: number): Promise<ModeResult> {
  const { child, url } = await startServer(modelsDir, maxBatch);
  const sockets: WebSocket[] = [];
  let measuring = false;
  let stopped = false;
  let steps = 0;
  let errors = 0;
  const lat: number[] = [];
  const rss: number[] = [];
  const perSocket = Math.ceil(opts.streams / opts.sockets);
  const input = Float32Array.from({ length: X }, (_, i) => Math.sin(i + 1));
  try {
    let opened = 0;
    await Promise.all(
      Array.from({ length: opts.sockets }, async (_, k) => {
        const ws = new WebSocket(url, PROTOCOL, { perMessageDeflate: false });
        sockets.push(ws);
        await new Promise<void>((r, j) => {
          ws.once('open', () => r());
          ws.once('error', j);
        });
        const sentAt = new Map<number, number>();
        const n = Math.min(perSocket, opts.streams - k * perSocket);
        const send = (id: number) => {
          if (stopped) return;
          sentAt.set(id, performance.now());
          ws.send(encodeInputFrame(id, input));
        };
        ws.on('message', (data, isBinary) => {
          if (isBinary) {
            const f = decodeFrame(new Uint8Array(data as Buffer));
            const t0 = sentAt.get(f.stream)!;
            if (measuring) {
              steps++;
              lat.push(performance.now() - t0);
            }
            send(f.stream);
            return;
          }
          const m = JSON.parse(String(data));
          if (m.type === 'opened') {
            opened++;
            send(m.stream);
          } else if (m.type === 'error') errors++;
        });
        for (let i = 0; i < n; i++) ws.send(JSON.stringify({ type: 'open', stream: i + 1, model, options: { format: 'binary' } }));
      }),
    );
    const sampler = setInterval(() => rss.push(rssOf(child.pid!)), 500);
    await new Promise((r) => setTimeout(r, 2000)); // warm-up
    if (opened !== opts.streams) throw new Error(`only ${opened} of ${opts.streams} streams opened`);
    measuring = true;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, opts.seconds * 1000));
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    stopped = true;
    clearInterval(sampler);
    const port = new URL(url).port;
    const serverMetrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sorted = Float64Array.from(lat).sort();
    return { maxBatch, steps, seconds, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1], rss, serverMetrics, errors };
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

interface GenerateResult {
  n: number;
  /** Per repetition after warm-up: ms per character end to end, and the server's CPU ms per character. */
  wall: number[];
  cpu: number[];
}

/** One stream on one socket: `open` with a prime and `generate: n`, timed until the generation's `ack`; repeated. */
async function runGenerate(modelsDir: string, model: string, n: number, reps: number): Promise<GenerateResult> {
  const { child, url } = await startServer(modelsDir);
  const ws = new WebSocket(url, PROTOCOL, { perMessageDeflate: false });
  const wall: number[] = [];
  const cpu: number[] = [];
  try {
    await new Promise<void>((r, j) => {
      ws.once('open', () => r());
      ws.once('error', j);
    });
    for (let r = 0; r < reps; r++) {
      const stream = r + 1;
      const t0 = performance.now();
      const c0 = cpuOf(child.pid!);
      await new Promise<void>((resolve, reject) => {
        const on = (data: WebSocket.RawData, isBinary: boolean) => {
          if (isBinary) return;
          const m = JSON.parse(String(data));
          if (m.stream !== stream) return;
          if (m.type === 'error') reject(new Error(m.message));
          if (m.type === 'ack' && m.of === 'generate') {
            ws.off('message', on);
            resolve();
          }
        };
        ws.on('message', on);
        ws.send(JSON.stringify({ type: 'open', stream, model, options: { prime: 'The whale ', generate: n, temperature: 0.8, seed: r } }));
      });
      if (r >= 2) {
        wall.push((performance.now() - t0) / n);
        cpu.push((cpuOf(child.pid!) - c0) / n);
      }
      ws.send(JSON.stringify({ type: 'close', stream }));
    }
    return { n, wall, cpu };
  } finally {
    ws.terminate();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const histogramLine = (metrics: string, name: string) => {
  const rows = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))].map((m) => [m[1], Number(m[2])] as const);
  const total = rows.at(-1)?.[1] ?? 0;
  let prev = 0;
  return rows
    .map(([le, c]) => {
      const n = c - prev;
      prev = c;
      return n ? `≤${le}: ${((100 * n) / total).toFixed(1)}%` : '';
    })
    .filter(Boolean)
    .join(', ');
};

async function main() {
  let modelsDir = join(root, 'models');
  let model = opts.model;
  if (opts.hidden) {
    modelsDir = await syntheticModels(opts.hidden);
    model = `lstm-${opts.hidden}`;
  }
  const meta = JSON.parse(readFileSync(join(modelsDir, model, 'model.json'), 'utf8'));
  const X = meta.cell.layers?.[0]?.inputSize ?? meta.cell.inputSize;
  const modes = opts.modes === 'none' ? [] : opts.modes.split(',').map(Number);
  const results: ModeResult[] = [];
  for (const mb of modes) {
    console.error(`load: ${opts.streams} streams / ${opts.sockets} sockets on ${model}, max-batch ${mb}, ${opts.seconds} s…`);
    const r = await runMode(modelsDir, model, X, mb);
    results.push(r);
    console.error(`  ${(r.steps / r.seconds).toFixed(0)} steps/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, peak RSS ${(Math.max(...r.rss) / 2 ** 20).toFixed(0)} MiB`);
  }
  const charDir = opts.hidden ? join(root, 'models') : modelsDir;
  let generated: GenerateResult | null = null;
  if (opts.generate > 0 && existsSync(join(charDir, opts.charModel, 'model.json'))) {
    console.error(`load: generate ${opts.generate} characters on one stream of ${opts.charModel}, ${opts.generateReps} times…`);
    generated = await runGenerate(charDir, opts.charModel, opts.generate, opts.generateReps);
    console.error(`  ${median(generated.wall).toFixed(3)} ms per character (median), server CPU ${median(generated.cpu).toFixed(3)} ms per character`);
  }
  const cmd = `npx tsx --conditions=@rxrnn/source tools/bench/load.ts ${process.argv.slice(2).join(' ')}`.trim();
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const lines = [
    `# Load benchmark: ${opts.streams} streams over ${opts.sockets} sockets`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Command: \`${cmd}\``,
    `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; server and load generator share the machine; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (other work on the same cores inflates every figure).`,
    `- Model: \`${model}\` (${meta.cell.kind}${meta.cell.layers ? ': ' + meta.cell.layers.map((l: { kind: string; hiddenSize?: number; outputSize?: number }) => `${l.kind}${l.hiddenSize ? ' H=' + l.hiddenSize : l.outputSize ? ' ' + l.outputSize : ''}`).join(' → ') : meta.cell.hiddenSize ? ' H=' + meta.cell.hiddenSize : ''}), input ${X} floats per step, binary frames both ways; steps on ${opts.fused ? 'the fused WebAssembly kernels' : 'plain tfjs ops (--no-fused)'}.`,
    `- Each stream is closed-loop (one step in flight); ${opts.seconds} s measured per mode after a 2 s warm-up; one fresh server process per mode.`,
    '',
    ...(results.length
      ? [
          '| max batch | stream steps/s | p50 latency | p99 latency | max latency | server RSS start → peak → end | errors |',
          '|---|---|---|---|---|---|---|',
          ...results.map((r) => `| ${r.maxBatch}${r.maxBatch === 1 ? ' (batching off)' : ''} | ${(r.steps / r.seconds).toFixed(0)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.max.toFixed(1)} ms | ${mib(r.rss[0])} → ${mib(Math.max(...r.rss))} → ${mib(r.rss.at(-1)!)} MiB | ${r.errors} |`),
          '',
        ]
      : []),
    ...results.flatMap((r) => [
      `**max batch ${r.maxBatch}**: batch sizes (share of batched steps) ${histogramLine(r.serverMetrics, 'rxrnn_batch_size')}; server-side latency ${histogramLine(r.serverMetrics, 'rxrnn_step_latency_seconds')} (seconds; both histograms include the warm-up); RSS samples (MiB, every 0.5 s): ${r.rss.map(mib).join(' ')}`,
      '',
    ]),
  ];
  if (generated) {
    const w = [...generated.wall].sort((a, b) => a - b);
    const c = [...generated.cpu].sort((a, b) => a - b);
    lines.push(
      `**Generation on one stream** (\`${opts.charModel}\`, one socket, \`open\` with a prime and \`generate: ${generated.n}\`, temperature 0.8; ${w.length} timed repetitions after 2 warm-up ones; kernel threads per call: ${process.env.RXRNN_KERNEL_THREADS ?? 'the default'}, per batch-1 step: ${process.env.RXRNN_KERNEL_STEP_THREADS ?? 'the default (1)'}):`,
      '',
      '| workload | ms per character, median | min – max | server CPU ms per character, median (min – max) |',
      '|---|---|---|---|',
      `| generate ${generated.n} chars on one stream | ${median(w).toFixed(3)} | ${w[0].toFixed(3)} – ${w.at(-1)!.toFixed(3)} | ${median(c).toFixed(3)} (${c[0].toFixed(3)} – ${c.at(-1)!.toFixed(3)}) |`,
      '',
    );
  }
  const off = results.find((r) => r.maxBatch === 1);
  if (off && off.steps > 0) {
    for (const r of results.filter((q) => q !== off)) lines.push(`Batching speed-up, max batch ${r.maxBatch} vs off (stream steps/s): **${(r.steps / r.seconds / (off.steps / off.seconds)).toFixed(2)}×**.`, '');
  }
  const report = lines.join('\n');
  console.log(report);
  if (opts.out) {
    if (!existsSync(dirname(opts.out))) mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, report);
    console.error(`wrote ${opts.out}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

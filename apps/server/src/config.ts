/**
 * The server's configuration: defaults, then a JSON config file, then environment variables, then
 * command-line flags (each overriding the one before). See apps/server/README.md.
 */
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';
import { DEFAULT_SERVER_OPTIONS, requireTokenBeyondLoopback, type ServerOptions } from '@rxrnn/ws';

/** Is `host` a loopback address (so the server may run without a token)? IP literals are parsed: `127.attacker.example` is not. */
export { isLoopback } from '@rxrnn/ws';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServerConfig extends ServerOptions {
  port: number;
  host: string;
  /** Directory of models, one `<name>/model.json` + `<name>/weights.safetensors` each. */
  models: string;
  /** Serve the demo page at `/`. Default true. */
  web: boolean;
  /** Run recurrent layers on the fused kernels of @rxrnn/kernels (native when built, else WebAssembly). Default true. */
  fused: boolean;
}

export const DEFAULT_CONFIG: Readonly<ServerConfig> = Object.freeze({
  ...DEFAULT_SERVER_OPTIONS,
  port: 8080,
  host: '127.0.0.1',
  models: join(REPO_ROOT, 'models'),
  web: true,
  fused: true,
});

/** Environment variables, by config key. */
export const ENV: Record<string, keyof ServerConfig> = {
  RXRNN_PORT: 'port',
  RXRNN_HOST: 'host',
  RXRNN_MODELS: 'models',
  RXRNN_TOKEN: 'token',
  RXRNN_MAX_BATCH: 'maxBatch',
  RXRNN_MAX_SOCKETS: 'maxSockets',
  RXRNN_MAX_STREAMS_PER_SOCKET: 'maxStreamsPerSocket',
  RXRNN_MAX_PAYLOAD: 'maxPayload',
  RXRNN_MAX_INPUTS_PER_SECOND: 'maxInputsPerSecond',
  RXRNN_IDLE_TIMEOUT_MS: 'idleTimeoutMs',
};

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
};

/** Read the configuration from argv (without node and script), env and an optional config file. */
export function loadConfig(argv: string[], env: Record<string, string | undefined> = process.env): ServerConfig {
  const program = new Command('rxrnn-server')
    .description('rxrnn streaming inference server: hosts the models in a directory behind WebSockets (protocol rxrnn.v1).')
    .option('-p, --port <n>', `port (env RXRNN_PORT; default ${DEFAULT_CONFIG.port}; 0 = any free port)`, int)
    .option('-H, --host <host>', `interface to listen on (env RXRNN_HOST; default ${DEFAULT_CONFIG.host})`)
    .option('-m, --models <dir>', 'models directory (env RXRNN_MODELS; default <repo>/models)')
    .option('-t, --token <token>', 'bearer token clients must present (env RXRNN_TOKEN; required beyond loopback)')
    .option('-c, --config <file>', 'JSON config file with any of the keys below (env RXRNN_CONFIG)')
    .option('--max-batch <n>', `streams per batched step; 1 turns batching off (default ${DEFAULT_CONFIG.maxBatch})`, int)
    .option('--max-sockets <n>', `concurrent sockets (default ${DEFAULT_CONFIG.maxSockets})`, int)
    .option('--max-streams-per-socket <n>', `streams per socket (default ${DEFAULT_CONFIG.maxStreamsPerSocket})`, int)
    .option('--max-payload <bytes>', `largest message (default ${DEFAULT_CONFIG.maxPayload})`, int)
    .option('--max-inputs-per-second <n>', `input steps per second per socket (default ${DEFAULT_CONFIG.maxInputsPerSecond})`, int)
    .option('--max-queued-steps <n>', `queued input steps per stream (default ${DEFAULT_CONFIG.maxQueuedSteps})`, int)
    .option('--idle-timeout-ms <ms>', `close idle sockets after (default ${DEFAULT_CONFIG.idleTimeoutMs}; 0 = never)`, int)
    .option('--drain-timeout-ms <ms>', `on shutdown, let queued work run this long (default ${DEFAULT_CONFIG.drainTimeoutMs})`, int)
    .option('--no-web', 'do not serve the demo page')
    .option('--no-fused', 'step models with plain tfjs ops instead of the fused kernels (native or WebAssembly)')
    .exitOverride()
    // Errors are reported once, by the caller (main prints them); help goes to stdout as usual.
    .configureOutput({ writeErr: () => undefined });
  program.parse(argv, { from: 'user' });
  const flags = program.opts() as Record<string, unknown>;

  const cfg: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const file = (flags.config as string | undefined) ?? env.RXRNN_CONFIG;
  if (file) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw rxrnnError(ErrorCodes.FORMAT, 'loadConfig', '--config', 'a readable JSON file', `${file}: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw rxrnnError(ErrorCodes.FORMAT, 'loadConfig', '--config', 'a JSON object', file);
    for (const [k, v] of Object.entries(doc)) {
      if (!(k in DEFAULT_CONFIG)) throw rxrnnError(ErrorCodes.UNKNOWN, 'loadConfig', `${file}: ${k}`, `one of ${Object.keys(DEFAULT_CONFIG).join(', ')}`, JSON.stringify(k));
      cfg[k] = v;
    }
    if (typeof cfg.models === 'string' && file) cfg.models = resolve(dirname(file), cfg.models);
  }
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    cfg[key] = typeof DEFAULT_CONFIG[key] === 'number' ? int(v) : v;
  }
  // Only flags given on the command line override: commander fills `--no-web`/`--no-fused` with a
  // default of true, which must not undo `"web": false` from a config file or the environment.
  for (const [k, v] of Object.entries(flags)) if (k !== 'config' && v !== undefined && program.getOptionValueSource(k) === 'cli') cfg[k] = v;
  const out = cfg as unknown as ServerConfig;
  requireTokenBeyondLoopback('loadConfig', out.host, out.token);
  return out;
}

/**
 * `npm start`: the rxrnn streaming inference server. Loads every model in models/ (or --models),
 * serves them over WebSockets at /ws, health at /health, metrics at /metrics and the demo page at /.
 * SIGINT/SIGTERM drain and close every stream, then exit. Flags: `npm start -- --help`.
 */
import { initBackend, backendInfo } from '@rxrnn/core';
import { kernelsInfo, kernelsUnavailableReason } from '@rxrnn/kernels';
import { loadConfig } from './config.js';
import { startServer } from './app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (e) {
    const err = e as { code?: string; message: string; exitCode?: number };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
    console.error(`rxrnn-server: ${err.message}`);
    process.exit(2);
  }
  await initBackend({ log: null });
  const server = await startServer(config);
  const info = backendInfo();
  const k = config.fused ? kernelsInfo() : null;
  const kernelsLine = !config.fused
    ? 'off (--no-fused)'
    : k
      ? k.backend === 'native'
        ? `native ${k.isa}, ${k.threads} thread${k.threads > 1 ? 's' : ''} per call (a batch-1 step: ${k.stepThreads})`
        : `WebAssembly SIMD (native: ${k.nativeUnavailable ?? 'not used'})`
      : `unavailable (${kernelsUnavailableReason() ?? '?'})`;
  console.log(`rxrnn server: tfjs backend ${info?.name ?? '?'}; fused kernels ${kernelsLine}`);
  console.log(`rxrnn server: models: ${server.models.map((m) => ('cell' in m ? `${m.name} (${m.cell.kind} ${m.cell.inputSize}→${m.cell.outputSize}, ${(m.io?.kind as string) ?? 'vector'})` : `${m.name} (${m.session.modelKind}, ${m.session.kind})`)).join(', ')}`);
  console.log(`rxrnn server: listening on ${server.url}`);
  console.log(`  WebSocket  ${server.wsUrl}   (protocol rxrnn.v1${config.token ? ', bearer token required' : ''})`);
  if (config.web) console.log(`  demo page  ${server.url}${config.token ? '?token=<token>' : ''}`);
  console.log(`  health     ${server.url}health   metrics ${server.url}metrics`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`rxrnn server: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`rxrnn server: ${signal}: draining streams (up to ${config.drainTimeoutMs} ms)…`);
    server.close().then(
      () => {
        console.log('rxrnn server: stopped');
        process.exit(0);
      },
      (e) => {
        console.error('rxrnn server: error while stopping:', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  console.error('rxrnn-server:', e instanceof Error ? e.message : e);
  process.exit(1);
});

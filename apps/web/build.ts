/**
 * Bundle the demo page's script (src/main.ts, which uses the @rxrnn/ws client) for browsers with
 * esbuild: apps/web/dist/app.js. The server runs this on start when the bundle is missing.
 *
 *     npm run build -w @rxrnn/web
 */
import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildWeb(outfile = join(here, 'dist', 'app.js')): Promise<string> {
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@rxrnn/source'],
    // The client loads `ws` only in Node; browsers use the global WebSocket.
    external: ['ws'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildWeb();
  console.log(`wrote ${out}`);
}

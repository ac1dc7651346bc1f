/**
 * The demo page as a package (`@rxrnn/web/build`): where its files are, and the bundling of its
 * script (src/main.ts, which uses the @rxrnn/ws client) for browsers with esbuild into
 * apps/web/dist/app.js. The server imports this to serve the page and to rebuild the bundle on
 * start, so the page always matches the sources; esbuild is loaded only to build.
 *
 *     npm run build -w @rxrnn/web
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The page's static files (index.html, styles). */
export const WEB_PUBLIC = join(here, 'public');
/** The bundled script, served as /app.js. */
export const WEB_BUNDLE = join(here, 'dist', 'app.js');

export async function buildWeb(outfile = WEB_BUNDLE): Promise<string> {
  const { build } = await import('esbuild');
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

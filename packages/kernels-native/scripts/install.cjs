/*
 * Build the native kernels with node-gyp (npm's own copy, against the Node headers npm is set to
 * use). A failed build is not a failed install: @rxrnn/kernels then runs its WebAssembly kernels.
 *
 *     node scripts/install.cjs            (npm runs this on install)
 *     node scripts/install.cjs --strict   (exit non-zero when the build fails)
 *
 * RXRNN_NATIVE=off skips the build.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const strict = process.argv.includes('--strict');
const root = path.join(__dirname, '..');

function warn(why) {
  const msg = `@rxrnn/kernels-native: native kernels not built (${why}); @rxrnn/kernels will use its WebAssembly kernels.`;
  if (strict) {
    console.error(msg);
    process.exit(1);
  }
  console.warn(msg);
  process.exit(0);
}

if (/^(0|off|false|no)$/i.test(process.env.RXRNN_NATIVE ?? '')) warn('RXRNN_NATIVE=off');
if (process.arch !== 'x64') warn(`the kernels need x86-64 with AVX2+FMA, this is ${process.arch}`);

function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  // npm's bundled node-gyp, next to the npm that runs this Node
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  return candidates.find((p) => existsSync(p));
}

const gyp = nodeGyp();
if (!gyp) warn('node-gyp not found');
// Build against the headers of the Node that runs this (npm's nodedir setting, or the headers
// installed beside this Node), so node-gyp never has to download them.
const prefix = path.join(path.dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
const args = [gyp, 'rebuild', '--release', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) warn(`node-gyp rebuild failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
if (!existsSync(path.join(root, 'build', 'Release', 'rxrnn_kernels.node'))) warn('node-gyp produced no build/Release/rxrnn_kernels.node');
console.log('@rxrnn/kernels-native: built build/Release/rxrnn_kernels.node (AVX2+FMA)');

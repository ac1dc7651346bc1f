/*
 * Load the native kernels. Exports `{ native, reason }`: `native` is the addon (run, isa,
 * maxThreads) when it was built and this CPU has AVX2+FMA, else null with `reason` saying why.
 */
'use strict';
const path = require('node:path');

let native = null;
let reason = null;
try {
  const addon = require(path.join(__dirname, 'build', 'Release', 'rxrnn_kernels.node'));
  if (addon.unsupported) reason = addon.unsupported;
  else native = addon;
} catch (e) {
  reason = `not built (${e && e.code === 'MODULE_NOT_FOUND' ? 'no build/Release/rxrnn_kernels.node; run npm run build:native -w @rxrnn/kernels-native' : e.message})`;
}
module.exports = { native, reason };

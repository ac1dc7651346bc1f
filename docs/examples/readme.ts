// The README's example, kept runnable: npx tsx --conditions=@rxrnn/source docs/examples/readme.ts
import { from } from 'rxjs';
import { initBackend, readRows } from '@rxrnn/core';
import { lstmCell, lstm } from '@rxrnn/cells';

await initBackend(); // tensorflow → wasm → cpu, logged once
const cell = lstmCell({ inputSize: 3, hiddenSize: 8, seed: 42 });
from([[1, 0, 0], [0, 1, 0], [0, 0, 1]]) // one time step per value ([X] or [B, X])
  .pipe(lstm(cell), readRows()) // h_t per step, read back once at the end of the chain
  .subscribe((h) => console.log(h[0].map((v) => v.toFixed(3)).join(' ')));
cell.dispose();

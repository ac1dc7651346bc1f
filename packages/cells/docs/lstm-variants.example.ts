// The runnable example of packages/cells/docs/lstm-variants.md:
//   npx tsx --conditions=@rxrnn/source packages/cells/docs/lstm-variants.example.ts
import { from, last } from 'rxjs';
import { initBackend, readRows, type Cell } from '@rxrnn/core';
import { LSTM_VARIANTS, lstmVariantCell, lstmVariant, layerNormLstmCell, layerNormLstm, type LstmVariantState } from '@rxrnn/cells';

await initBackend();
const xs = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]; // one time step per value ([X] or [B, X])

for (const variant of LSTM_VARIANTS) {
  const cell: Cell<LstmVariantState> = lstmVariantCell({ variant, inputSize: 3, hiddenSize: 4, seed: 42 });
  const params = Object.values(cell.params).reduce((n, p) => n + p.size, 0);
  from(xs)
    .pipe(lstmVariant(cell), readRows(), last()) // readRows reads each step's h back; keep the last
    .subscribe((h) => console.log(`${variant.padEnd(7)} ${String(params).padStart(3)} params  h_T = ${h[0].map((v) => v.toFixed(3)).join(' ')}`));
  cell.dispose();
}

// Gate activations and the cell, step by step (emit: 'step', extras: true): tensors the receiver frees.
const cifg = lstmVariantCell({ variant: 'CIFG', inputSize: 3, hiddenSize: 4, seed: 42 });
from(xs)
  .pipe(lstmVariant(cifg, { emit: 'step', extras: true }))
  .subscribe(({ y, extras }) => {
    const { i, f } = extras!;
    console.log(`CIFG i = ${Array.from(i.dataSync(), (v) => v.toFixed(2)).join(' ')}   f = 1 − i = ${Array.from(f.dataSync(), (v) => v.toFixed(2)).join(' ')}`);
    y.dispose();
    for (const t of Object.values(extras!)) t.dispose();
  });
cifg.dispose();

const ln = layerNormLstmCell({ inputSize: 3, hiddenSize: 4, seed: 42 });
from(xs)
  .pipe(layerNormLstm(ln), readRows(), last())
  .subscribe((h) => console.log(`LN-LSTM         h_T = ${h[0].map((v) => v.toFixed(3)).join(' ')}`));
ln.dispose();

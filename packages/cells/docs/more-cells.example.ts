// The runnable example of packages/cells/docs/more-cells.md:
//   npx tsx --conditions=@rxrnn/source packages/cells/docs/more-cells.example.ts
import { from, last } from 'rxjs';
import { initBackend, recurrent, readRows, type Cell } from '@rxrnn/core';
import {
  mutCell, mut, tRnnCell, tLstmCell, tGruCell, tRnn, tLstm, tGru, rhnCell, rhn, gridLstmCell, gridLstm,
  lstmCell, residualCell, residual, variationalDropout, zoneout, regularised,
} from '@rxrnn/cells';

await initBackend();
const xs = [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 1], [1, 1, 0, 0]]; // one time step per value ([X] or [B, X])
const show = (name: string, cell: Cell) => (h: number[][]) => {
  const params = Object.values(cell.params).reduce((n, p) => n + p.size, 0);
  console.log(`${name.padEnd(22)} ${String(params).padStart(4)} params  y_T = ${h[0].map((v) => v.toFixed(3)).join(' ')}`);
};

// Each family has its own operator (which checks the cell's kind); recurrent(cell) works for all.
const runs: [string, Cell, (c: never) => ReturnType<typeof recurrent>][] = [
  ['MUT1', mutCell({ variant: 'MUT1', inputSize: 4, hiddenSize: 4, seed: 1 }), mut as never],
  ['MUT2', mutCell({ variant: 'MUT2', inputSize: 4, hiddenSize: 4, seed: 1 }), mut as never],
  ['MUT3', mutCell({ variant: 'MUT3', inputSize: 4, hiddenSize: 5, seed: 1 }), mut as never],
  ['T-RNN', tRnnCell({ inputSize: 4, hiddenSize: 5, seed: 1 }), tRnn as never],
  ['T-LSTM', tLstmCell({ inputSize: 4, hiddenSize: 5, seed: 1 }), tLstm as never],
  ['T-GRU (no lag)', tGruCell({ inputSize: 4, hiddenSize: 5, lag: false, seed: 1 }), tGru as never],
  ['RHN (L = 3)', rhnCell({ inputSize: 4, hiddenSize: 5, depth: 3, seed: 1 }), rhn as never],
  ['Grid LSTM (N = 3)', gridLstmCell({ inputSize: 4, hiddenSize: 5, layers: 3, seed: 1 }), gridLstm as never],
  ['residual(LSTM 4→4)', residualCell(lstmCell({ inputSize: 4, hiddenSize: 4, seed: 1 })), residual as never],
  ['residual(LSTM 4→6)', residualCell(lstmCell({ inputSize: 4, hiddenSize: 6, seed: 1 }), { seed: 2 }), residual as never],
];
for (const [name, cell, op] of runs) {
  from(xs).pipe(op(cell as never), readRows(), last()).subscribe(show(name, cell));
  cell.dispose();
}

// Regularisers: active only in training mode, seeded; identity (dropout) / expectation (zoneout) at inference.
const reg = zoneout(variationalDropout(lstmCell({ inputSize: 4, hiddenSize: 4, seed: 1 }), { input: 0.25, recurrent: 0.25 }), { h: 0.1, c: 0.05 });
from(xs).pipe(regularised(reg, { training: true, seed: 7 }), readRows(), last()).subscribe(show('regularised, training', reg));
from(xs).pipe(regularised(reg, { training: true, seed: 7 }), readRows(), last()).subscribe(show('  same seed again', reg));
from(xs).pipe(regularised(reg), readRows(), last()).subscribe(show('regularised, inference', reg));
reg.dispose();

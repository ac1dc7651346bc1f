// A model I/O adapter in use: decode a client's input into step rows, step them, encode each output as message fields.
import { initBackend, createBatcher, vectorAdapter, type DecodeContext } from '@rxrnn/core';
import { lstmCell } from '@rxrnn/cells';

await initBackend({ log: null });
const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 });
const adapter = vectorAdapter({ kind: 'vector' }, { name: 'tiny', inputSize: 2, outputSize: 3 });

// The transport's side of a decode: a name for errors and a budget, checked before any row is allocated.
const ctx: DecodeContext = {
  fn: 'input(tiny)',
  admit: (rows) => {
    if (rows > 100) throw new Error(`${rows} steps is over the budget`);
  },
};
const { io } = adapter.open({}, ctx); // one per stream: it holds the stream's io state

const batcher = createBatcher<(typeof rows)[number]>(cell);
const session = batcher.join();
const rows = io.decode({ x: [[1, 0], [0, 1]] }, ctx); // a JSON input message's `x`: two steps
for (const row of rows) {
  batcher.push(session, row.x, row);
  for (const r of batcher.flush()) console.log(JSON.stringify(io.encode({ row: r.tag, y: r.y }, { y: true, extras: null })));
}
try {
  io.decode({ x: [[1e308, 0]] }, ctx); // finite in JSON, ∞ as a float32
} catch (e) {
  console.log((e as { code: string }).code); // E_NONFINITE
}
batcher.dispose();
cell.dispose();

// Keeps the benchmark harness from rotting: a quick run on tiny shapes (a few seconds) must produce
// every row, for every rxrnn implementation (tfjs, WebAssembly and native kernels), with finite times and ratios beside PyTorch.
import { describe, it, expect } from 'vitest';
import { debianPackage } from '@rxrnn/testing';
import { runBench } from './harness.js';

const torch = debianPackage('python3-torch');

describe.skipIf(torch.skip)(`bench harness (quick)${torch.note}`, () => {
  it('runs every row beside PyTorch and prints a markdown table', async () => {
    const lines: string[] = [];
    const { rows, table, info } = await runBench({ quick: true, log: (l) => lines.push(l) });
    expect(info.torch).toMatch(/^\d+\.\d+/);
    const names = new Set(rows.map((r) => r.name));
    for (const kind of ['rnn', 'lstm', 'gru']) for (const B of [1, 4]) expect(names.has(`step ${kind} B=${B} H=X=16`)).toBe(true);
    expect([...names].some((n) => n.startsWith('sequence lstm forward'))).toBe(true);
    expect([...names].some((n) => n.startsWith('train char-lstm+Adam'))).toBe(true);
    for (const B of [1, 4]) expect(names.has(`attention decoder step (LSTM + additive + attentional layer) B=${B} S=5 H=16`)).toBe(true);
    expect([...names].some((n) => n.startsWith('beam search K=5'))).toBe(true);
    expect(rows.filter((r) => r.impl === 'wasm').length).toBe(names.size);
    // the native kernels are built on our machines (see packages/kernels/src/gemm.test.ts)
    if (process.arch === 'x64' && process.env.RXRNN_NATIVE !== 'off') expect(rows.filter((r) => r.impl === 'native').length).toBe(names.size);
    expect(rows.filter((r) => r.impl === 'tfjs').length).toBe(names.size);
    for (const r of rows) {
      expect(r.rxrnn).toBeGreaterThan(0);
      expect(r.torch).toBeGreaterThan(0);
      expect(Number.isFinite(r.ratio)).toBe(true);
    }
    expect(table.split('\n').length).toBe(rows.length + 2);
    expect(lines.length).toBe(rows.length);
  }, 120_000);
});

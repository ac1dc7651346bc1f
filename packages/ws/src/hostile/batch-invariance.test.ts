// Issue 14, defect 5, end to end: on the default (fused, native when built) kernels, a bystander's
// outputs must not depend on who else is in its batch. An attacker fills the batch with 2 to 60
// streams of its own, joining and leaving, while the bystander's outputs are compared bit for bit
// with the same inputs stepped alone. (The rest of the hostile suite uses plain-tfjs cells, whose
// rows are batch-independent today; this file uses the cells as the server ships them.)
//
// Waits for the kernels' batch-invariance fix (gemm_cols took another path below 4 rows: up to
// 1.5e-7 apart).
import { describe, it, afterEach } from 'vitest';
import { createRng } from '@rxrnn/core';
import { startArena, vectorModels, watchResources, Bystander, Peer, expectUnharmed, type Arena } from '../../test/hostile-harness.js';

let arena: Arena | null = null;
afterEach(async () => {
  await arena?.stop();
  arena = null;
});

describe('hostile: batch composition on the default kernels (issue 14, defect 5)', () => {
  it('the bystander’s outputs equal its solo run bit for bit whatever streams share its batch', async () => {
    arena = await startArena({}, vectorModels({ fused: true }));
    const watch = watchResources();
    const bystander = await Bystander.start(arena, 'vec');
    const attacker = await Peer.connect(arena.url);
    const rng = createRng(5);
    let open = 0;
    for (let round = 0; round < 12; round++) {
      const want = 2 + Math.floor(rng.uniform(0, 58));
      for (; open < want; open++) attacker.sendJson({ type: 'open', stream: open, model: 'vec' });
      for (; open > want; open--) attacker.sendJson({ type: 'close', stream: open - 1 });
      for (let s = 0; s < open; s++) attacker.sendJson({ type: 'input', stream: s, x: Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => rng.uniform(-2, 2))) });
      await bystander.advance(5);
    }
    attacker.close();
    expectUnharmed(await bystander.stop(), await watch.end(arena));
  });
});

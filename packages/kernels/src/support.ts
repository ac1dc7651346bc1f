/** Which cells the fused kernels cover (by kind and config). */
import type { Cell } from '@rxrnn/core';

/** Why `cell` cannot take the fused path, or null when it can. */
export function unsupported(cell: Cell): string | null {
  const c = cell.config as Record<string, unknown>;
  const gates = (ok: boolean) => (ok ? null : `activation ${String(c.activation)} / recurrentActivation ${String(c.recurrentActivation)} (fused: tanh / sigmoid only)`);
  switch (cell.kind) {
    case 'lstm':
      return gates((c.activation ?? 'tanh') === 'tanh' && (c.recurrentActivation ?? 'sigmoid') === 'sigmoid');
    case 'gru':
      return gates((c.activation ?? 'tanh') === 'tanh' && (c.recurrentActivation ?? 'sigmoid') === 'sigmoid');
    case 'rnn':
      return (c.activation ?? 'tanh') === 'tanh' || c.activation === 'relu' ? null : `activation ${String(c.activation)} (fused: tanh, relu)`;
    case 'dense':
      return c.activation === 'custom' ? 'a custom activation function (fused dense: named activations and softmax)' : null;
    default:
      return `a '${cell.kind}' cell (fused: lstm, gru, rnn, dense)`;
  }
}

/** Which cells the fused kernels cover (by kind and config). */
import type { Cell } from '@rxrnn/core';

/** What each lstm-variant the kernels do not cover changes (Greff et al. 2017 §III-B). */
const UNFUSED_LSTM_VARIANTS: Record<string, string> = {
  NIG: 'no input gate',
  NFG: 'no forget gate',
  NOG: 'no output gate',
  NIAF: 'no input activation',
  NOAF: 'no output activation',
  FGR: 'full gate recurrence',
};

/** Why `cell` cannot take the fused path, or null when it can. */
export function unsupported(cell: Cell): string | null {
  const c = cell.config as Record<string, unknown>;
  const gates = (ok: boolean) => (ok ? null : `activation ${String(c.activation)} / recurrentActivation ${String(c.recurrentActivation)} (fused: tanh / sigmoid only)`);
  switch (cell.kind) {
    case 'lstm':
      return gates((c.activation ?? 'tanh') === 'tanh' && (c.recurrentActivation ?? 'sigmoid') === 'sigmoid');
    case 'lstm-variant': {
      // vanilla (peepholes), NP (none) and CIFG (f = 1 − i) run on lstmvForward / lstmvBackward
      if (c.variant === 'vanilla' || c.variant === 'NP' || c.variant === 'CIFG') return null;
      const what = UNFUSED_LSTM_VARIANTS[String(c.variant)];
      return `lstm-variant '${String(c.variant)}'${what ? ` (${what})` : ''} (fused lstm-variants: 'vanilla', 'NP', 'CIFG')`;
    }
    case 'gru':
      return gates((c.activation ?? 'tanh') === 'tanh' && (c.recurrentActivation ?? 'sigmoid') === 'sigmoid');
    case 'rnn':
      return (c.activation ?? 'tanh') === 'tanh' || c.activation === 'relu' ? null : `activation ${String(c.activation)} (fused: tanh, relu)`;
    case 'dense':
      return c.activation === 'custom' ? 'a custom activation function (fused dense: named activations and softmax)' : null;
    default:
      return `a '${cell.kind}' cell (fused: lstm, lstm-variant, gru, rnn, dense)`;
  }
}

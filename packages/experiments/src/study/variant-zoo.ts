/**
 * The recurrent architectures compared by the variant study (Greff et al. 2017, "LSTM: A Search
 * Space Odyssey"; Jozefowicz, Zaremba & Sutskever 2015, "An Empirical Exploration of Recurrent
 * Network Architectures"), each as a builder of the recurrent core `X → H` for a given seed.
 *
 * - `V` is Greff et al.'s vanilla LSTM: peepholes, forget gate, forget bias 1. The eight variants
 *   NIG … FGR each change one thing (see `greff-lstm-step.ts` in @rxrnn/cells).
 * - `LSTM-b0` / `LSTM-b1`: the plain LSTM without peepholes (PyTorch's), forget-gate bias 0 or 1
 *   (Jozefowicz et al.: bias 1 closes most of the gap between LSTM and GRU).
 * - MUT1 and MUT2 add the input to hidden-sized vectors without a matrix, so they need X = H: the
 *   study feeds them a learned `dense` X → H projection (for the char task the embedding is already
 *   of size H for every model).
 */
import type { Cell } from '@rxrnn/core';
import { lstmVariantCell, lstmCell, gruCell, mutCell, tLstmCell, tGruCell, rnnCell, denseCell, stackCells, type LstmVariant } from '@rxrnn/cells';

export interface StudyVariant {
  /** Short id used on the command line and in the tables. */
  id: string;
  /** What it is, in a few words. */
  label: string;
  /** The paper it comes from. */
  source: 'Greff et al. 2017' | 'Jozefowicz et al. 2015' | 'Balduzzi & Ghifary 2016' | 'Cho et al. 2014' | 'Elman 1990';
  /** True when the core needs its input to be of size H (MUT1, MUT2). */
  needsInputH?: boolean;
  /** The recurrent core X → H. */
  build(inputSize: number, hiddenSize: number, seed: number): Cell;
}

const greff = (variant: LstmVariant, id: string, label: string): StudyVariant => ({
  id,
  label,
  source: 'Greff et al. 2017',
  build: (X, H, seed) => lstmVariantCell({ variant, inputSize: X, hiddenSize: H, seed }),
});

const mut = (variant: 'MUT1' | 'MUT2' | 'MUT3'): StudyVariant => ({
  id: variant,
  label: `${variant} (evolved architecture)`,
  source: 'Jozefowicz et al. 2015',
  needsInputH: variant !== 'MUT3',
  build: (X, H, seed) => {
    if (variant === 'MUT3' || X === H) return mutCell({ variant, inputSize: X, hiddenSize: H, seed });
    return stackCells([denseCell({ inputSize: X, outputSize: H, seed: seed + 7919 }), mutCell({ variant, inputSize: H, hiddenSize: H, seed })]);
  },
});

/** Every architecture of the study, in the order of the tables. */
export const STUDY_VARIANTS: readonly StudyVariant[] = [
  greff('vanilla', 'V', 'vanilla LSTM (peepholes, forget gate)'),
  greff('NIG', 'NIG', 'no input gate'),
  greff('NFG', 'NFG', 'no forget gate'),
  greff('NOG', 'NOG', 'no output gate'),
  greff('NIAF', 'NIAF', 'no input activation function'),
  greff('NOAF', 'NOAF', 'no output activation function'),
  greff('NP', 'NP', 'no peepholes'),
  greff('CIFG', 'CIFG', 'coupled input and forget gate'),
  greff('FGR', 'FGR', 'full gate recurrence'),
  { id: 'LSTM-b0', label: 'LSTM, no peepholes, forget bias 0', source: 'Jozefowicz et al. 2015', build: (X, H, seed) => lstmCell({ inputSize: X, hiddenSize: H, forgetBias: 0, seed }) },
  { id: 'LSTM-b1', label: 'LSTM, no peepholes, forget bias 1', source: 'Jozefowicz et al. 2015', build: (X, H, seed) => lstmCell({ inputSize: X, hiddenSize: H, forgetBias: 1, seed }) },
  { id: 'GRU', label: 'gated recurrent unit', source: 'Cho et al. 2014', build: (X, H, seed) => gruCell({ inputSize: X, hiddenSize: H, seed }) },
  mut('MUT1'),
  mut('MUT2'),
  mut('MUT3'),
  { id: 'T-LSTM', label: 'strongly-typed LSTM', source: 'Balduzzi & Ghifary 2016', build: (X, H, seed) => tLstmCell({ inputSize: X, hiddenSize: H, seed }) },
  { id: 'T-GRU', label: 'strongly-typed GRU', source: 'Balduzzi & Ghifary 2016', build: (X, H, seed) => tGruCell({ inputSize: X, hiddenSize: H, seed }) },
  { id: 'RNN', label: 'vanilla (Elman) tanh RNN', source: 'Elman 1990', build: (X, H, seed) => rnnCell({ inputSize: X, hiddenSize: H, seed }) },
];

/** Number of trainable scalars of a cell. */
export function countParams(cell: Cell): number {
  let n = 0;
  for (const v of Object.values(cell.params)) if (v.trainable) n += v.size;
  return n;
}

// Vanilla RNN
export { rnnStep } from './rnn/rnn-step.js';
export type { RnnParams, RnnState } from './rnn/rnn-step.js';
export { rnnCell, RNN_WEIGHTS } from './rnn/rnn-cell.js';
export type { RnnCellOptions } from './rnn/rnn-cell.js';
export { rnn } from './rnn/rnn.js';
// LSTM
export { lstmStep } from './lstm/lstm-step.js';
export type { LstmParams, LstmState } from './lstm/lstm-step.js';
export { lstmCell, LSTM_WEIGHTS } from './lstm/lstm-cell.js';
export type { LstmCellOptions } from './lstm/lstm-cell.js';
export { lstm } from './lstm/lstm.js';
// GRU
export { gruStep } from './gru/gru-step.js';
export type { GruParams, GruState } from './gru/gru-step.js';
export { gruCell, GRU_WEIGHTS } from './gru/gru-cell.js';
export type { GruCellOptions } from './gru/gru-cell.js';
export { gru } from './gru/gru.js';
// Shared
export { param, checkWeightNames } from './shared/weights.js';
export type { WeightsInput } from './shared/weights.js';
// Stacks and stateless layers
export { stackCells } from './stack/stack-cell.js';
export type { StackOptions } from './stack/stack-cell.js';
export { stack } from './stack/stack.js';
export { denseCell } from './layers/dense-cell.js';
export type { DenseCellOptions } from './layers/dense-cell.js';
export { embeddingCell } from './layers/embedding-cell.js';
export type { EmbeddingCellOptions } from './layers/embedding-cell.js';
// Models: config + weights
export { cellFromConfig, registerCellKind, cellKinds, subWeights, cellWeights } from './model/cell-registry.js';
export type { CellBuilder, Weights } from './model/cell-registry.js';
export { encodeModel, decodeModel } from './model/model-format.js';
export type { ModelMeta } from './model/model-format.js';

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

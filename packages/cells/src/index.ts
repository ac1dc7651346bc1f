// Vanilla RNN
export { rnnStep } from './rnn/rnn-step.js';
export type { RnnParams, RnnState } from './rnn/rnn-step.js';
export { rnnCell, RNN_WEIGHTS } from './rnn/rnn-cell.js';
export type { RnnCellOptions } from './rnn/rnn-cell.js';
export { rnn } from './rnn/rnn.js';
export { rnnSequence } from './rnn/rnn-fused.js';
export type { RnnSequenceParams, RnnSequenceOptions, RnnSequenceResult, FusedRnnActivation } from './rnn/rnn-fused.js';
// LSTM
export { lstmStep } from './lstm/lstm-step.js';
export type { LstmParams, LstmState } from './lstm/lstm-step.js';
export { lstmCell, LSTM_WEIGHTS } from './lstm/lstm-cell.js';
export type { LstmCellOptions } from './lstm/lstm-cell.js';
export { lstm } from './lstm/lstm.js';
export { lstmSequence } from './lstm/lstm-fused.js';
export type { LstmSequenceParams, LstmSequenceOptions, LstmSequenceResult } from './lstm/lstm-fused.js';
// GRU
export { gruStep } from './gru/gru-step.js';
export type { GruParams, GruState } from './gru/gru-step.js';
export { gruCell, GRU_WEIGHTS } from './gru/gru-cell.js';
export type { GruCellOptions } from './gru/gru-cell.js';
export { gru } from './gru/gru.js';
export { gruSequence } from './gru/gru-fused.js';
export type { GruSequenceParams, GruSequenceOptions, GruSequenceResult } from './gru/gru-fused.js';
// Fused paths on @rxrnn/kernels: each family's, chosen by kind through one registry
export { fuseCell, fusedLstmCell, fusedGruCell, fusedRnnCell, isFused } from './fused/fuse-cell.js';
export type { FusedCell } from './fused/fuse-cell.js';
export { registerFusedFamily, fusedFamily, fusedKinds } from './fused/fused-registry.js';
export type { FusedFamily, FusedStepper } from './fused/fused-family.js';
// Any cell over a whole sequence (fused when covered, else the unrolled tfjs step)
export { runSequence } from './fused/run-sequence.js';
export type { RunSequenceResult } from './fused/run-sequence.js';
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
export type { CellBuilder, BuildOptions, Weights } from './model/cell-registry.js';
export { encodeModel, decodeModel } from './model/model-format.js';
export type { ModelMeta } from './model/model-format.js';
// LSTM variants: peephole LSTM and the eight of Greff et al. 2017; layer-normalised LSTM (Ba et al. 2016)
export { greffLstmStep, lstmVariantSpec, LSTM_VARIANTS } from './lstm-variants/greff-lstm-step.js';
export type { LstmVariant, LstmBlock, LstmVariantSpec, LstmVariantParams, LstmVariantState } from './lstm-variants/greff-lstm-step.js';
export { lstmVariantCell, peepholeLstmCell, cifgLstmCell, lstmVariantWeightNames } from './lstm-variants/lstm-variant-cell.js';
export type { LstmVariantCellOptions } from './lstm-variants/lstm-variant-cell.js';
export { lstmVariant } from './lstm-variants/lstm-variant.js';
export { lstmVariantSequence, FUSED_LSTM_VARIANTS } from './lstm-variants/lstm-variant-fused.js';
export type { LstmVariantSequenceParams, LstmVariantSequenceOptions, LstmVariantSequenceResult, FusedLstmVariant } from './lstm-variants/lstm-variant-fused.js';
export { layerNormLstmStep } from './lstm-variants/layernorm-lstm-step.js';
export type { LayerNormLstmParams, LayerNormLstmState } from './lstm-variants/layernorm-lstm-step.js';
export { layerNormLstmCell, LAYERNORM_LSTM_WEIGHTS } from './lstm-variants/layernorm-lstm-cell.js';
export type { LayerNormLstmCellOptions } from './lstm-variants/layernorm-lstm-cell.js';
export { layerNormLstm } from './lstm-variants/layernorm-lstm.js';
// More cell families: MUT1-3 (Jozefowicz et al. 2015), strongly-typed T-RNN/T-LSTM/T-GRU (Balduzzi & Ghifary 2016),
// recurrent highway network (Zilly et al. 2017), residual wrapper, 2-D Grid LSTM (Kalchbrenner et al. 2016),
// variational dropout (Gal & Ghahramani 2016) and zoneout (Krueger et al. 2017) wrappers
export { mutStep, MUT_VARIANTS, MUT_BLOCKS } from './mut/mut-step.js';
export type { MutVariant, MutParams, MutState } from './mut/mut-step.js';
export { mutCell, MUT_WEIGHTS } from './mut/mut-cell.js';
export type { MutCellOptions } from './mut/mut-cell.js';
export { mut } from './mut/mut.js';
export { tRnnStep, tLstmStep, tGruStep } from './typed/typed-step.js';
export type { TRnnParams, TRnnState, TGatedParams, TLstmState, TGruState } from './typed/typed-step.js';
export { tRnnCell, tLstmCell, tGruCell, T_RNN_WEIGHTS, T_GATED_WEIGHTS } from './typed/typed-cell.js';
export type { TRnnCellOptions, TGatedCellOptions } from './typed/typed-cell.js';
export { tRnn, tLstm, tGru } from './typed/typed.js';
export { rhnStep } from './highway/rhn-step.js';
export type { RhnParams, RhnState } from './highway/rhn-step.js';
export { rhnCell } from './highway/rhn-cell.js';
export type { RhnCellOptions } from './highway/rhn-cell.js';
export { rhn } from './highway/rhn.js';
export { residualStep } from './residual/residual-step.js';
export { residualCell } from './residual/residual-cell.js';
export type { ResidualCellOptions } from './residual/residual-cell.js';
export { residual } from './residual/residual.js';
export { gridLstmStep, gridLstmTransform } from './grid/grid-lstm-step.js';
export type { GridLstmParams, GridLstmLayerParams, GridLstmState } from './grid/grid-lstm-step.js';
export { gridLstmCell } from './grid/grid-lstm-cell.js';
export type { GridLstmCellOptions } from './grid/grid-lstm-cell.js';
export { gridLstm } from './grid/grid-lstm.js';
export { variationalDropoutStep, zoneoutStep, dropoutMask, zoneoutMask, DROPOUT_KEYS } from './regularise/regularise-step.js';
export type { DropoutRates } from './regularise/regularise-step.js';
export { variationalDropout } from './regularise/variational-dropout-cell.js';
export type { VariationalDropoutOptions } from './regularise/variational-dropout-cell.js';
export { zoneout } from './regularise/zoneout-cell.js';
export type { ZoneoutOptions } from './regularise/zoneout-cell.js';
export { regularised } from './regularise/regularised.js';
export { wrapCell, checkInnerCell } from './shared/wrap-cell.js';
export type { WrapCellSpec } from './shared/wrap-cell.js';
// Interop: PyTorch and Keras weights; bidirectional RNNs
export { fromTorch } from './io/from-torch.js';
export type { FromTorchOptions, TorchMode } from './io/from-torch.js';
export { planTorch, TORCH_MODES } from './io/torch-weights.js';
export type { TorchLayout, TorchPlan, TorchCellPlan, TorchLayoutOptions } from './io/torch-weights.js';
export { fromKeras } from './io/from-keras.js';
export type { FromKerasOptions, KerasSource, KerasType, TfjsLayerLike } from './io/from-keras.js';
export { planKeras, findKerasWeights, KERAS_TYPES } from './io/keras-weights.js';
export type { KerasPlan, KerasPlanOptions, KerasWeights } from './io/keras-weights.js';
export { readNamedWeights } from './io/named-tensors.js';
export type { NamedWeightsSource, ArrayTensor } from './io/named-tensors.js';
export { bidirectionalModel, runBidirectional, mergeDirections, BIDIRECTIONAL_MERGES } from './bidirectional/bidirectional-model.js';
export type { BidirectionalModel, BidirectionalLayer, BidirectionalMerge, BidirectionalModelOptions, BidirectionalRun, BidirectionalRunOptions } from './bidirectional/bidirectional-model.js';
export { bidirectional } from './bidirectional/bidirectional.js';
export type { BidirectionalOptions } from './bidirectional/bidirectional.js';

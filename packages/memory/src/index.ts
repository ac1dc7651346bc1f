// Addressing (Graves, Wayne & Danihelka 2014, §3.3): pure functions over tensors
export { cosineSimilarity, contentAddressing, COSINE_EPSILON } from './addressing/content.js';
export { interpolate } from './addressing/interpolate.js';
export { circularShift, rotate } from './addressing/shift.js';
export { sharpen, SHARPEN_EPSILON } from './addressing/sharpen.js';
export { address } from './addressing/address.js';
export { addressFused } from './addressing/address-fused.js';
export type { AddressingOutputs } from './addressing/address.js';
export { readMemory } from './addressing/read.js';
export { writeMemory } from './addressing/write.js';
export type { WriteHead } from './addressing/write.js';
// The Neural Turing Machine: step, cell, operator
export { ntmStep, ntmInitialValues, readHeadWidth, writeHeadWidth, headsWidth } from './ntm/ntm-step.js';
export type { NtmParams, NtmState, NtmSizes } from './ntm/ntm-step.js';
export { ntmCell, ntmSizes, NTM_WEIGHTS } from './ntm/ntm-cell.js';
export type { NtmCellOptions } from './ntm/ntm-cell.js';
export { ntm } from './ntm/ntm.js';
// Tasks (Graves et al. 2014, §4) and their loss
export { copyBatch, copyTask, copyInputSize } from './tasks/copy-task.js';
export type { BitTaskBatch, CopyTaskOptions } from './tasks/copy-task.js';
export { bitCrossEntropy } from './tasks/bit-loss.js';
export { scoreBits, scoredLogits, poolScores } from './tasks/evaluate-bits.js';
export type { BitScore } from './tasks/evaluate-bits.js';
export { repeatCopyBatch, repeatCopyTask, repeatCopySizes } from './tasks/repeat-copy-task.js';
export type { RepeatCopyOptions } from './tasks/repeat-copy-task.js';
export { associativeRecallBatch, associativeRecallTask, associativeRecallSizes } from './tasks/associative-recall-task.js';
export type { AssociativeRecallOptions } from './tasks/associative-recall-task.js';
// Continuous stack, queue and deque (Grefenstette et al. 2015): structures, step, cell, operator
export { stackStep, queueStep, dequeStep, strengthAbove, strengthBelow, readWeights as structureReadWeights, readRows as structureReadRows } from './neural-stack/structures.js';
export type { Structure, EndControls } from './neural-stack/structures.js';
export { neuralStackStep, structureEnds, structureRows, interfaceWidth } from './neural-stack/neural-stack-step.js';
export type { NeuralStackParams, NeuralStackState, NeuralStackSizes, StructureKind } from './neural-stack/neural-stack-step.js';
export { neuralStackCell, neuralStackSizes, NEURAL_STACK_WEIGHTS } from './neural-stack/neural-stack-cell.js';
export type { NeuralStackCellOptions } from './neural-stack/neural-stack-cell.js';
export { neuralStack } from './neural-stack/neural-stack.js';
// The stack-augmented RNN (Joulin & Mikolov 2015): step, cell, operator
export { stackRnnStep, EMPTY as STACK_EMPTY } from './stack-rnn/stack-rnn-step.js';
export type { StackRnnParams, StackRnnState, StackRnnSizes } from './stack-rnn/stack-rnn-step.js';
export { stackRnnCell, stackRnnSizes, STACK_RNN_WEIGHTS } from './stack-rnn/stack-rnn-cell.js';
export type { StackRnnCellOptions } from './stack-rnn/stack-rnn-cell.js';
export { stackRnn } from './stack-rnn/stack-rnn.js';
export { transductionBatch, transduce } from './tasks/transduction-task.js';
export type { TransductionBatch, TransductionKind } from './tasks/transduction-task.js';

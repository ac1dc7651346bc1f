export { additiveAttention, concatAttention, additiveProject, additiveScore } from './additive.js';
export type { AdditiveOptions, AdditiveParams } from './additive.js';
export { dotAttention, generalAttention, dotScore } from './luong.js';
export type { LuongOptions, GeneralParams } from './luong.js';
export { locationAttention, locationScore, locationFeatures } from './location.js';
export type { LocationOptions, LocationParams } from './location.js';
export { initialCoverage, accumulateCoverage, coverageLoss } from './coverage.js';
export { normalise, contextOf } from './normalise.js';
export { defineAttention } from './define.js';
export type { AttentionSpec } from './define.js';
export type { Attention, AttentionKind, AttendOptions, AttendResult, Memory, NormaliseOptions } from './types.js';
export { attentionDecoder, attentionDecoderStep } from './decoder-step.js';
export type { AttentionDecoder, AttentionDecoderOptions, DecoderState, DecoderStepResult } from './decoder-step.js';
// Encoder–decoder (issue 16): bidirectional encoder, stacked decoder with input feeding, training losses, greedy decoding
export * from './seq2seq/index.js';

export { CharCodec } from './char-codec.js';
export type { CharIo } from './char-codec.js';
export { sampleLogits } from './sample-logits.js';

// @rxrnn/cells/parallel — training on more than one core (data parallel over worker_threads; Node only,
// hence its own entry point: the main entry stays browser-safe).
export { createParallelTrainer } from './parallel-trainer.js';
export type { ParallelTrainerOptions, ParallelTrainer } from './parallel-trainer.js';

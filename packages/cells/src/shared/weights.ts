/**
 * Parameters for cell factories: take a user-supplied weight when given (checked against the
 * expected shape), otherwise draw it from a seeded initialiser.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type ParamInit } from '@rxrnn/core';

/** Weights a user may pass to a cell factory, by our parameter names. */
export type WeightsInput = Readonly<Record<string, ParamInit | undefined>>;

/** The given weight `name` checked against `shape`, or `init()` when absent. */
export function param(fn: string, weights: WeightsInput | undefined, name: string, shape: number[], init: () => Float32Array): ParamInit {
  const given = weights?.[name];
  if (given === undefined) return { shape, data: init() };
  const gshape = given instanceof tf.Tensor ? given.shape : given?.shape;
  if (!Array.isArray(gshape) || gshape.join(',') !== shape.join(',')) {
    throw rxrnnError(ErrorCodes.SHAPE, fn, `weights.${name}`, `shape [${shape.join(', ')}]`, given instanceof tf.Tensor || given?.shape ? `shape [${gshape?.join(', ')}]` : describe(given));
  }
  if (!(given instanceof tf.Tensor) && !(given.data instanceof Float32Array)) {
    throw rxrnnError(ErrorCodes.DTYPE, fn, `weights.${name}.data`, 'a Float32Array', describe(given.data));
  }
  return given;
}

/** Throw when `weights` names a parameter the cell does not have (a typo would otherwise be ignored). */
export function checkWeightNames(fn: string, weights: WeightsInput | undefined, known: readonly string[]): void {
  if (!weights) return;
  for (const name of Object.keys(weights)) {
    if (!known.includes(name)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `weights.${name}`, `one of ${known.join(', ')}`, `unknown name "${name}"`);
  }
}

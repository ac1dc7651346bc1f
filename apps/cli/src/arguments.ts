/** Parsers of command-line values shared by the commands: each throws commander's InvalidArgumentError. */
import { InvalidArgumentError } from 'commander';

/** A positive integer, named in the error. */
export const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name}: expected a positive integer, received ${JSON.stringify(v)}`);
  return n;
};

/** A finite number ≥ `min`, named in the error. */
export const num = (name: string, min = 0) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name}: expected a number ≥ ${min}, received ${JSON.stringify(v)}`);
  return n;
};

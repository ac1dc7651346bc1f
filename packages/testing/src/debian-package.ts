/**
 * Debian packages that some tests need: headless Chromium (`chromium`), PyTorch
 * (`python3-torch`, run by Debian's `/usr/bin/python3`), and the SWORD front end `diatheke` with the
 * two Bibles of the translation data (`diatheke` stands for `diatheke sword-text-web sword-text-sparv`). `npm test` installs them through
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

export type DebianPackage = 'chromium' | 'python3-torch' | 'diatheke';

export interface DebianPackageCheck {
  name: DebianPackage;
  /** What the tests use is there: `/usr/bin/chromium`; `/usr/bin/python3` importing torch; `diatheke` listing both Bibles. */
  installed: boolean;
  /** Missing, and not under `CI=true`: skip the tests that need it. */
  skip: boolean;
  /** `''`, or ` — skipped: …` with the reason, to append to the suite's name. */
  note: string;
}

const probes: Record<DebianPackage, () => boolean> = {
  chromium: () => existsSync('/usr/bin/chromium'),
  'python3-torch': () => existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0,
  diatheke: () => {
    const r = existsSync('/usr/bin/diatheke') ? spawnSync('/usr/bin/diatheke', ['-b', 'system', '-k', 'modulelist'], { encoding: 'utf8', timeout: 60_000 }) : undefined;
    return r?.status === 0 && /^engWEB2015eb /m.test(r.stdout) && /^spaRV1909eb /m.test(r.stdout);
  },
};

/** What installs each (tools/setup/apt.sh arguments). */
const installs: Record<DebianPackage, string> = { chromium: 'chromium', 'python3-torch': 'python3-torch', diatheke: 'diatheke sword-text-web sword-text-sparv' };

const found = new Map<DebianPackage, boolean>(); // probed once per process (importing torch takes seconds)

/** Is the Debian package `name` usable here, and should the tests that need it be skipped? */
export function debianPackage(name: DebianPackage): DebianPackageCheck {
  const probe = probes[name];
  if (!probe) throw rxrnnError(ErrorCodes.UNKNOWN, 'debianPackage', 'name', Object.keys(probes).map((k) => `'${k}'`).join(' or '), describe(name));
  if (!found.has(name)) found.set(name, probe());
  const installed = found.get(name)!;
  const skip = !installed && process.env.CI !== 'true';
  const note = skip ? ` — skipped: the Debian package ${name} is missing (bash tools/setup/apt.sh ${installs[name]} installs it)` : '';
  return { name, installed, skip, note };
}

import { describe, it, expect, afterEach } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { debianPackage } from './debian-package.js';

describe('debianPackage', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });

  it('looks for what the tests use, and skips only when missing outside CI', () => {
    process.env.CI = '';
    const chromium = debianPackage('chromium');
    expect(chromium.installed).toBe(existsSync('/usr/bin/chromium'));
    expect(chromium.skip).toBe(!chromium.installed);
    expect(chromium.note).toBe(chromium.skip ? ' — skipped: the Debian package chromium is missing (bash tools/setup/apt.sh chromium installs it)' : '');
    const torch = debianPackage('python3-torch');
    expect(torch.installed).toBe(spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0);
    const diatheke = debianPackage('diatheke');
    expect(diatheke.installed).toBe(spawnSync('diatheke', ['-b', 'system', '-k', 'modulelist'], { encoding: 'utf8' }).stdout?.includes('spaRV1909eb') ?? false);
    expect(diatheke.note).toBe(diatheke.skip ? ' — skipped: the Debian package diatheke is missing (bash tools/setup/apt.sh diatheke sword-text-web sword-text-sparv installs it)' : '');
    process.env.CI = 'true';
    expect(debianPackage('chromium')).toMatchObject({ skip: false, note: '' });
    expect(debianPackage('python3-torch')).toMatchObject({ skip: false, note: '' });
  }, 180_000); // importing torch takes tens of seconds on a busy machine

  it('names the packages it knows when given another', () => {
    expect(() => debianPackage('firefox' as never)).toThrow(/debianPackage: name: expected 'chromium' or 'python3-torch' or 'diatheke', received the string "firefox"/);
  });
});

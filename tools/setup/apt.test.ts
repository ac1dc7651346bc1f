/**
 * tools/setup/apt.sh when it cannot install (run with stand-ins for `id`, `dpkg-query`, `sudo` and
 * `apt-get` first on the PATH): one line naming the missing packages, why, and the tests that will
 * not run; success, so that `npm test` goes on — or failure under CI=true.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '../..');

/** Run apt.sh with fake commands: `uid` for `id -u`, every package missing, sudo refusing, apt-get failing. */
function runApt(packages: string[], o: { uid: number; ci?: boolean }) {
  const bin = mkdtempSync(join(tmpdir(), 'rxrnn-apt-'));
  const fake = (name: string, body: string) => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  fake('id', `echo ${o.uid}`);
  fake('dpkg-query', 'exit 1');
  fake('sudo', 'exit 1');
  fake('apt-get', 'echo "E: could not resolve deb.debian.org" >&2; exit 100');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, CI: o.ci ? 'true' : '' };
    const r = spawnSync('bash', [join(root, 'tools/setup/apt.sh'), ...packages], { cwd: root, env, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('tools/setup/apt.sh without the means to install', () => {
  it('not root and no sudo: one line naming the tests that will not run, and success', () => {
    const r = runApt(['chromium', 'python3-torch', 'libopenblas0-openmp'], { uid: 1000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tools\/setup\/apt\.sh: cannot install chromium python3-torch libopenblas0-openmp \(not root, and no sudo\); running everything else; not run: /);
    expect(lines[0]).toContain('apps/server/src/demo-page.test.ts packages/cells/src/fused/browser.test.ts (need chromium)');
    expect(lines[0]).toContain('tools/bench/bench.test.ts (need python3-torch)');
  });

  it('names the test of the Bibles for a missing sword-text module as for diatheke', () => {
    const r = runApt(['diatheke', 'sword-text-sparv'], { uid: 1000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('packages/text/src/nmt/bible.test.ts (need diatheke) packages/text/src/nmt/bible.test.ts (need sword-text-sparv)');
  });

  it('offline (apt-get fails): says so in one line and succeeds', () => {
    const r = runApt(['chromium'], { uid: 0 });
    expect(r.status).toBe(0);
    const m = /^tools\/setup\/apt\.sh: installing chromium\ntools\/setup\/apt\.sh: cannot install chromium \(apt-get failed, offline\? its output: (\S+)\); running everything else; not run: .*browser\.test\.ts \(need chromium\)\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(readFileSync(m![1], 'utf8')).toContain('could not resolve'); // apt-get's own words, kept for the reader
    rmSync(m![1]);
  });

  it('under CI=true a missing package is a failure', () => {
    const r = runApt(['python3-torch'], { uid: 1000, ci: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot install python3-torch \(not root, and no sudo\), and CI=true: failing; tests that need them: tools\/bench\/bench\.test\.ts/);
  });
});

/** The token rule in the app: startServer as a library refuses a public host without a token; the CLI says so once. */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { lstmCell } from '@rxrnn/cells';
import { startServer, loadConfig, DEFAULT_CONFIG } from './index.js';
import { REPO_ROOT } from './config.js';

describe('the token rule', () => {
  it('startServer refuses to listen beyond loopback without a token (and frees the models it was given)', async () => {
    const start = tf.memory().numTensors;
    const cell = lstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 });
    await expect(startServer({ ...DEFAULT_CONFIG, host: '0.0.0.0', port: 0, token: null, web: false }, [{ name: 'm', cell }])).rejects.toThrow(/startServer: token: expected a bearer token when listening beyond loopback \(host 0\.0\.0\.0\)/);
    expect(tf.memory().numTensors).toBe(start);
    const ok = await startServer({ ...DEFAULT_CONFIG, host: '0.0.0.0', port: 0, token: 't', web: false }, [{ name: 'm', cell: lstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 }) }]);
    await ok.close();
  });

  it('a host name that merely starts with 127. is not loopback', () => {
    expect(() => loadConfig(['--host', '127.attacker.example'], {})).toThrow(/token/);
    expect(loadConfig(['--host', '127.0.0.2'], {}).host).toBe('127.0.0.2');
    expect(loadConfig(['--host', '::1'], {}).host).toBe('::1');
  });

  it('npm start prints the refusal once, with one prefix, and exits 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@rxrnn/source', join(REPO_ROOT, 'apps/server/src/main.ts'), '--host', '0.0.0.0', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RXRNN_TOKEN: '' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (err += d));
    expect(await new Promise((r) => child.on('exit', r))).toBe(2);
    expect(err.trim()).toBe('rxrnn-server: loadConfig: token: expected a bearer token when listening beyond loopback (host 0.0.0.0), received none (set --token or RXRNN_TOKEN)');
  });
});

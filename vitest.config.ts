import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@rxrnn/source'] },
  ssr: { resolve: { conditions: ['@rxrnn/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

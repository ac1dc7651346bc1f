import { describe, it, expect } from 'vitest';
import { cpuBudget, processCpuSeconds } from './cpu-budget.js';

const busy = (ms: number) => {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
};

describe('cpuBudget: a training budget in process CPU time', () => {
  it('counts computing, not waiting: a busy loop spends CPU seconds, a sleep only wall seconds', async () => {
    const clock = cpuBudget(1000);
    busy(300);
    const afterBusy = clock.cpuSeconds();
    expect(afterBusy).toBeGreaterThan(0.05); // (less than 0.3 when other processes share the cores)
    await new Promise((r) => setTimeout(r, 300));
    expect(clock.cpuSeconds() - afterBusy).toBeLessThan(0.1); // asleep: (almost) no CPU
    expect(clock.wallSeconds()).toBeGreaterThan(0.55);
    expect(processCpuSeconds()).toBeGreaterThanOrEqual(afterBusy);
  });

  it('is spent when the CPU seconds of earlier sessions and this one reach the budget', () => {
    let cpu = 10;
    let wall = 100;
    const clock = cpuBudget(60, { cpuSeconds: 50, wallSeconds: 70 }, () => cpu, () => wall);
    expect(clock.cpuSeconds()).toBe(50);
    expect(clock.spent()).toBe(false);
    cpu += 9.5;
    wall += 30; // a busy machine: wall time runs ahead, the budget does not
    expect(clock.spent()).toBe(false);
    expect(clock.wallSeconds()).toBe(100);
    cpu += 0.5;
    expect(clock.cpuSeconds()).toBe(60);
    expect(clock.spent()).toBe(true);
    expect(() => cpuBudget(0)).toThrow(/positive/);
  });
});

/**
 * A training budget in CPU time: the process's user + system seconds (`process.cpuUsage`), so that two
 * runs sharing a machine get the same amount of computation whatever the other one does; wall time is
 * kept beside it. A resumed run passes the seconds its earlier sessions used.
 *
 *     const clock = cpuBudget(60 * 60, { cpuSeconds: 0, wallSeconds: 0 });
 *     while (!clock.spent()) { … one update … }
 *     clock.cpuSeconds(); clock.wallSeconds();
 *
 * (With RXRNN_KERNEL_THREADS=1 the process runs one compute thread, so its CPU time and its wall time
 * agree on an idle machine; more kernel threads would spend the budget faster than the wall clock.)
 */

/** The CPU seconds (user + system) this process has used so far. */
export function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface CpuBudget {
  /** The budget, CPU seconds. */
  readonly seconds: number;
  /** CPU seconds used: the earlier sessions' and this one's since the clock was made. */
  cpuSeconds(): number;
  /** Wall seconds likewise. */
  wallSeconds(): number;
  /** Whether the CPU seconds used have reached the budget. */
  spent(): boolean;
}

/** Start the clock now (see the module comment). */
export function cpuBudget(seconds: number, before: { cpuSeconds: number; wallSeconds: number } = { cpuSeconds: 0, wallSeconds: 0 }, cpu: () => number = processCpuSeconds, wall: () => number = () => Date.now() / 1000): CpuBudget {
  if (!(seconds > 0)) throw new Error(`cpuBudget: seconds: expected a positive number, received ${seconds}`);
  const c0 = cpu();
  const w0 = wall();
  const used = () => before.cpuSeconds + cpu() - c0;
  return { seconds, cpuSeconds: used, wallSeconds: () => before.wallSeconds + wall() - w0, spent: () => used() >= seconds };
}

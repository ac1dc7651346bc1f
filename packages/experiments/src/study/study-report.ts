/**
 * The variant study's outputs: a results document (JSON: every run, the configuration, the command
 * and the machine), a markdown report (per task a table of mean ± standard deviation over seeds,
 * paired differences against the vanilla LSTM, and the comparison with the papers' claims), and a
 * dot-and-whisker plot (vega-lite → SVG → PNG).
 *
 * ```ts
 * const doc = studyDocument(result, { command: 'rxrnn study variants', started, finished });
 * await writeStudyFiles(doc, 'docs/study', 'variants'); // variants.json, .md, .svg, .png
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem, platform, release } from 'node:os';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { STUDY_VARIANTS } from './variant-zoo.js';
import { METRIC, type StudyRun, type StudyTask, type VariantStudyConfig, type VariantStudyResult } from './variant-study.js';
import { vegaLiteToSvg, svgToPng } from '@rxrnn/text';

/** One invocation's results with where and how it ran. */
export interface StudyPart extends VariantStudyResult {
  /** The command line that produced these runs. */
  command: string;
  started: string;
  finished?: string;
  machine: string;
  backend: string;
  /** True while runs are missing (a study cut short, or a snapshot written during the run). */
  partial: boolean;
}

/** The results file: one or more parts (merged runs of different tasks). */
export interface StudyDocument {
  format: 'rxrnn.variant-study';
  version: 1;
  parts: StudyPart[];
}

/** A one-line description of this machine. */
export function machineDescription(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model?.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

export function studyDocument(result: VariantStudyResult, o: { command: string; started: string; finished?: string; backend: string; machine?: string }): StudyDocument {
  return {
    format: 'rxrnn.variant-study',
    version: 1,
    parts: [{ ...result, command: o.command, started: o.started, finished: o.finished, machine: o.machine ?? machineDescription(), backend: o.backend, partial: result.runs.length < result.planned }],
  };
}

/** Check a parsed results file. */
export function checkStudyDocument(doc: unknown, where = 'study results'): StudyDocument {
  const d = doc as StudyDocument;
  if (!d || d.format !== 'rxrnn.variant-study' || d.version !== 1 || !Array.isArray(d.parts)) {
    throw rxrnnError(ErrorCodes.FORMAT, 'checkStudyDocument', where, "{ format: 'rxrnn.variant-study', version: 1, parts: [...] }", describe(doc));
  }
  return d;
}

/** The budget fields two parts must share to be merged on the same task. */
function budgetKey(c: VariantStudyConfig, task: StudyTask): string {
  const { steps, hidden, batch, charLength, taskLength, clipNorm, evalCharWindows, evalCharLength, evalTaskBatch, corpus } = c;
  return JSON.stringify({ steps, hidden, batch, charLength: task === 'char' ? charLength : 0, taskLength: task === 'char' ? 0 : taskLength, lr: c.lr[task], clipNorm, evalCharWindows, evalCharLength, evalTaskBatch, corpus });
}

/**
 * Merge results files (e.g. tasks or seeds run as separate processes) into one document. Parts that
 * share a task must share its budget (steps, sizes, learning rate…); runs repeated across parts
 * (same task, variant and seed) are reported once (see {@link taskViews}).
 */
export function mergeStudyDocuments(docs: StudyDocument[]): StudyDocument {
  const parts = docs.flatMap((d) => checkStudyDocument(d).parts);
  const budget = new Map<StudyTask, string>();
  for (const p of parts) {
    for (const t of p.config.tasks) {
      const k = budgetKey(p.config, t);
      if (budget.has(t) && budget.get(t) !== k) throw rxrnnError(ErrorCodes.ARGUMENT, 'mergeStudyDocuments', 'docs', `results with the same budget for task '${t}'`, `two different budgets: ${budget.get(t)} and ${k}`);
      budget.set(t, k);
    }
  }
  return { format: 'rxrnn.variant-study', version: 1, parts };
}

/** One task across the parts of a document. */
export interface TaskView {
  task: StudyTask;
  config: VariantStudyConfig;
  info: Record<string, number | string>;
  /** Runs of this task, one per (variant, seed), in zoo order then seed. */
  runs: StudyRun[];
  seeds: number[];
  variants: string[];
  planned: number;
  /** Runs found more than once (kept: the first); the largest metric difference among repeats. */
  repeats: number;
  repeatMaxDiff: number;
}

/** Group a document's runs by task (see {@link TaskView}). */
export function taskViews(doc: StudyDocument): TaskView[] {
  const views = new Map<StudyTask, TaskView>();
  const plannedKeys = new Map<StudyTask, Set<string>>();
  const order = STUDY_VARIANTS.map((v) => v.id);
  for (const p of checkStudyDocument(doc).parts) {
    for (const t of p.config.tasks) {
      let v = views.get(t);
      if (!v) {
        v = { task: t, config: p.config, info: p.taskInfo[t] ?? {}, runs: [], seeds: [], variants: [], planned: 0, repeats: 0, repeatMaxDiff: 0 };
        views.set(t, v);
        plannedKeys.set(t, new Set());
      }
      for (const id of p.config.variants) for (let k = 0; k < p.config.seeds; k++) plannedKeys.get(t)!.add(`${id}/${(p.config.firstSeed ?? 1) + k}`);
      for (const r of p.runs) {
        if (r.task !== t) continue;
        const twin = v.runs.find((q) => q.variant === r.variant && q.seed === r.seed);
        if (twin) {
          v.repeats++;
          const d = Math.abs((twin.metric ?? NaN) - (r.metric ?? NaN));
          v.repeatMaxDiff = Math.max(v.repeatMaxDiff, Number.isFinite(d) ? d : Infinity);
          continue;
        }
        v.runs.push({ ...r, metric: r.metric ?? NaN, trainMetric: r.trainMetric ?? NaN });
      }
    }
  }
  for (const v of views.values()) {
    v.runs.sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant) || a.seed - b.seed);
    v.seeds = [...new Set(v.runs.map((r) => r.seed))].sort((a, b) => a - b);
    v.variants = order.filter((id) => v.runs.some((r) => r.variant === id));
    v.planned = plannedKeys.get(v.task)!.size;
  }
  return [...views.values()];
}

/** Mean, sample standard deviation, min, max of the finite values; `failed` counts the rest. */
export interface Summary {
  n: number;
  failed: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function summarise(values: number[]): Summary {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  const mean = n ? v.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : n === 1 ? 0 : NaN;
  return { n, failed: values.length - n, mean, std, min: n ? Math.min(...v) : NaN, max: n ? Math.max(...v) : NaN };
}

/** Per-seed differences `a − b` on one task (seeds where both ran and are finite). */
export function pairedDiffs(runs: StudyRun[], task: StudyTask, a: string, b: string): number[] {
  const by = (id: string) => new Map(runs.filter((r) => r.task === task && r.variant === id && Number.isFinite(r.metric)).map((r) => [r.seed, r.metric]));
  const A = by(a);
  const B = by(b);
  return [...A.keys()].filter((s) => B.has(s)).sort((x, y) => x - y).map((s) => A.get(s)! - B.get(s)!);
}

/** A claim of the papers, tested as a paired difference `a − b` (lower metric is better). */
export interface Claim {
  text: string;
  paper: string;
  a: string;
  b: string;
  /** 'worse': a is expected worse than b; 'better': a better; 'not-worse': a no worse than b; 'not-better': a no better than b. */
  expect: 'worse' | 'better' | 'not-worse' | 'not-better';
  /** Tasks the claim is about (default: every task). */
  tasks?: StudyTask[];
}

export const PAPER_CLAIMS: readonly Claim[] = [
  { text: 'removing the forget gate (NFG) hurts', paper: 'Greff et al. 2017', a: 'NFG', b: 'V', expect: 'worse' },
  { text: 'removing the output activation (NOAF) hurts', paper: 'Greff et al. 2017', a: 'NOAF', b: 'V', expect: 'worse' },
  { text: 'coupling input and forget gates (CIFG) does not hurt', paper: 'Greff et al. 2017', a: 'CIFG', b: 'V', expect: 'not-worse' },
  { text: 'removing the peepholes (NP) does not hurt', paper: 'Greff et al. 2017', a: 'NP', b: 'V', expect: 'not-worse' },
  { text: 'full gate recurrence (FGR) does not help', paper: 'Greff et al. 2017', a: 'FGR', b: 'V', expect: 'not-better' },
  { text: 'forget-gate bias 1 helps (vs 0)', paper: 'Jozefowicz et al. 2015', a: 'LSTM-b1', b: 'LSTM-b0', expect: 'better' },
  { text: 'GRU is no worse than the LSTM with forget bias 1', paper: 'Jozefowicz et al. 2015', a: 'GRU', b: 'LSTM-b1', expect: 'not-worse' },
  { text: 'a vanilla RNN is worse than the LSTM on long dependencies', paper: 'Hochreiter & Schmidhuber 1997', a: 'RNN', b: 'V', expect: 'worse', tasks: ['adding', 'order'] },
];

export interface ClaimVerdict {
  claim: Claim;
  task: StudyTask;
  diffs: number[];
  mean: number;
  std: number;
  /** Seeds where a was worse than b. */
  worseIn: number;
  /** What our runs show: consistent sign over all seeds, or mixed. */
  observed: 'worse' | 'better' | 'mixed' | 'no data';
  verdict: 'agrees' | 'disagrees' | 'inconclusive' | 'no data';
}

/** Judge a claim: 'worse'/'better' only when every seed (≥ 2) shows the same sign. */
export function judgeClaim(claim: Claim, runs: StudyRun[], task: StudyTask): ClaimVerdict {
  const diffs = pairedDiffs(runs, task, claim.a, claim.b);
  const s = summarise(diffs);
  const worseIn = diffs.filter((d) => d > 0).length;
  const n = diffs.length;
  const observed: ClaimVerdict['observed'] = n === 0 ? 'no data' : n >= 2 && worseIn === n ? 'worse' : n >= 2 && worseIn === 0 ? 'better' : 'mixed';
  let verdict: ClaimVerdict['verdict'];
  if (observed === 'no data') verdict = 'no data';
  else if (claim.expect === 'not-worse') verdict = observed === 'worse' ? 'disagrees' : 'agrees';
  else if (claim.expect === 'not-better') verdict = observed === 'better' ? 'disagrees' : 'agrees';
  else if (observed === 'mixed') verdict = 'inconclusive';
  else verdict = observed === claim.expect ? 'agrees' : 'disagrees';
  return { claim, task, diffs, mean: s.mean, std: s.std, worseIn, observed, verdict };
}

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const signed = (x: number, d = 3) => (Number.isFinite(x) ? (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(d) : '–');

function taskTitle(task: StudyTask): string {
  return task === 'char' ? 'Character language model (Moby Dick)' : task === 'adding' ? 'Adding problem' : 'Temporal order';
}

/** The markdown report (see the module comment). `notes` (hand-written) is included under its own heading. */
export function studyMarkdown(doc: StudyDocument, o: { name?: string; notes?: string; reportCommand?: string } = {}): string {
  const name = o.name ?? 'variants';
  const L: string[] = [];
  const parts = checkStudyDocument(doc).parts;
  const views = taskViews(doc);
  const done = views.reduce((a, v) => a + v.runs.length, 0);
  const planned = views.reduce((a, v) => a + v.planned, 0);
  L.push('# LSTM variant study (Greff et al. 2017; Jozefowicz et al. 2015)', '');
  L.push(done < planned ? `**PARTIAL: ${done} of ${planned} planned runs finished** (${views.map((v) => `${v.task}: ${v.runs.length}/${v.planned}`).join(', ')}). Tables show only the runs that finished; nothing is extrapolated.` : `Complete: ${done} runs.`, '');
  L.push('Every architecture is trained with the same budget (same hidden size, same number of Adam updates on the same batches, same learning rate per task, no per-variant tuning) for several seeds, and scored on held-out data. Lower is better everywhere.', '');
  L.push('**Small budget, noisy results.** These are tiny models trained for a few hundred updates on a shared 2-core machine; the papers trained to convergence with a hyper-parameter search per variant (Greff et al.: 5,400 runs). Our numbers say which variants learn fast at this size, not which are best at convergence. With a handful of seeds, only differences that every seed agrees on are called differences.', '');
  L.push('## How it was made', '');
  for (const p of parts) {
    const seeds = p.config.seeds === 1 ? `seed ${p.config.firstSeed ?? 1}` : `seeds ${p.config.firstSeed ?? 1}–${(p.config.firstSeed ?? 1) + p.config.seeds - 1}`;
    L.push(`- \`${p.command}\` — ${p.config.tasks.join(', ')}, ${seeds}; started ${p.started}${p.finished ? `, finished ${p.finished}` : ' (not finished)'}; ${p.runs.length}/${p.planned} runs; machine: ${p.machine}; tfjs backend: ${p.backend}.`);
  }
  if (o.reportCommand) L.push(`- This report (tables, plot) from the saved results: \`${o.reportCommand}\`.`);
  for (const v of views) if (v.repeats) L.push(`- ${v.repeats} ${v.task} run(s) were done twice (by two processes); each is counted once. Largest difference between the repeats: ${fmt(v.repeatMaxDiff, 6)} (runs are deterministic given the seed).`);
  L.push(`- Raw results (every run, with its training curve): [\`${name}.json\`](${name}.json). Plot: [\`${name}.png\`](${name}.png) ([SVG](${name}.svg)).`, '');
  L.push('## Setup', '');
  for (const v of views) {
    const c = v.config;
    const t = v.task;
    const info = v.info;
    const model =
      t === 'char'
        ? `embedding ${info.vocabulary ?? 'V'} → ${c.hidden}, recurrent core ${c.hidden} → ${c.hidden}, dense ${c.hidden} → ${info.vocabulary ?? 'V'}; ${c.batch} random windows of ${c.charLength} characters per update (zero initial state); held out: ${info.heldOutCharacters} characters of ${c.corpus}`
        : t === 'adding'
          ? `core 2 → ${c.hidden} (MUT1/MUT2: a dense 2 → ${c.hidden} projection first), dense ${c.hidden} → 1; sequences of length ${c.taskLength}, batch ${c.batch}, markers one in each half, values U(0, 1), scored at the last step; held out: ${info.heldOutSequences} fixed sequences; predicting the mean gives mse ${fmt(2 / 12)}`
          : `core 6 → ${c.hidden}, dense ${c.hidden} → 4; sequences of length ${c.taskLength}, batch ${c.batch}; held out: ${info.heldOutSequences} sequences; chance is 2 bits`;
    L.push(`- **${taskTitle(t)}** (${METRIC[t].name}: ${METRIC[t].unit}): ${model}. Adam, learning rate ${c.lr[t]}, gradient norm clipped to ${c.clipNorm}, ${c.steps} updates, seeds ${v.seeds.join(', ') || '–'} (a seed fixes the initial weights and the batches, shared by all variants, so per-seed differences are paired).`);
  }
  L.push("- Capacity is matched by **hidden size** (H the same for every core), not by parameter count: the parameter counts below differ (a vanilla RNN has about a quarter of an LSTM's recurrent weights; FGR adds 9 H² gate-to-gate weights). Variants use forget-gate bias 1 where they have a forget gate, except `LSTM-b0`.", '');
  L.push('## Results', '');
  for (const v of views) {
    const t = v.task;
    const runs = v.runs;
    const m = METRIC[t];
    L.push(`### ${taskTitle(t)}: held-out ${m.name}`, '');
    if (runs.length === 0) {
      L.push('_No run of this task finished._', '');
      continue;
    }
    const ref = v.variants.includes('V') ? 'V' : null;
    L.push(`| variant | what | params (core / total) | ${m.name} mean ± std | min – max | seeds | Δ vs V (paired, mean ± std) | train ${m.name} (last 10 %) |`);
    L.push('|---|---|---|---|---|---|---|---|');
    const ranked: Array<{ id: string; mean: number }> = [];
    for (const z of STUDY_VARIANTS) {
      const rs = runs.filter((r) => r.variant === z.id);
      if (rs.length === 0) continue;
      const s = summarise(rs.map((r) => r.metric));
      const tr = summarise(rs.map((r) => r.trainMetric));
      const d = ref && z.id !== ref ? summarise(pairedDiffs(runs, t, z.id, ref)) : null;
      if (Number.isFinite(s.mean)) ranked.push({ id: z.id, mean: s.mean });
      L.push(
        `| ${z.id} | ${z.label} | ${rs[0].coreParams.toLocaleString('en-US')} / ${rs[0].params.toLocaleString('en-US')} | ${fmt(s.mean)} ± ${fmt(s.std)} | ${fmt(s.min)} – ${fmt(s.max)} | ${s.n}${s.failed ? ` (+${s.failed} diverged)` : ''} | ${d ? `${signed(d.mean)} ± ${fmt(d.std)}` : '–'} | ${fmt(tr.mean)} |`,
      );
    }
    ranked.sort((a, b) => a.mean - b.mean);
    L.push('', `Order of the means (best first): ${ranked.map((r) => r.id).join(' < ')}.`, '');
  }
  L.push(`![Held-out loss per variant: dots are seeds, the bar is mean ± std](${name}.png)`, '');
  L.push('## Compared with the papers', '');
  L.push('A claim is tested as the per-seed difference between two architectures on the same seed (same batches and initialisation seed). We call a difference only when **every** seed shows the same sign (with at least 2 seeds); otherwise it is "mixed". For "does not hurt" claims anything but a consistent loss agrees, and for "does not help" anything but a consistent gain.', '');
  L.push('| claim | source | task | Δ (a − b) mean ± std | a worse in | observed | verdict |');
  L.push('|---|---|---|---|---|---|---|');
  const verdicts: ClaimVerdict[] = [];
  for (const v of views) {
    for (const c of PAPER_CLAIMS) {
      if (c.tasks && !c.tasks.includes(v.task)) continue;
      if (!v.variants.includes(c.a) || !v.variants.includes(c.b)) continue;
      const j = judgeClaim(c, v.runs, v.task);
      verdicts.push(j);
      L.push(`| ${c.text} (${c.a} vs ${c.b}) | ${c.paper} | ${v.task} | ${signed(j.mean)} ± ${fmt(j.std)} | ${j.worseIn}/${j.diffs.length} seeds | ${j.observed} | **${j.verdict}** |`);
    }
  }
  L.push('');
  const agree = verdicts.filter((v) => v.verdict === 'agrees').length;
  const disagree = verdicts.filter((v) => v.verdict === 'disagrees');
  const inconclusive = verdicts.filter((v) => v.verdict === 'inconclusive');
  L.push(`Summary: ${agree} agree, ${disagree.length} disagree, ${inconclusive.length} inconclusive, of ${verdicts.length} claim × task checks.`);
  if (disagree.length) L.push(`Disagreements: ${disagree.map((v) => `${v.claim.a} vs ${v.claim.b} on ${v.task} (Δ ${signed(v.mean)})`).join('; ')}.`);
  if (inconclusive.length) L.push(`Inconclusive (seeds disagree): ${inconclusive.map((v) => `${v.claim.a} vs ${v.claim.b} on ${v.task}`).join('; ')}.`);
  L.push('');
  if (o.notes) L.push('## Notes (written by hand after looking at this run)', '', o.notes.trim(), '');
  return L.join('\n');
}

/** The dot-and-whisker plot's vega-lite spec: one panel per task, a row per variant. */
export function studyPlotSpec(doc: StudyDocument): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  for (const v of taskViews(doc)) {
    const t = v.task;
    const runs = v.runs.filter((r) => Number.isFinite(r.metric));
    if (runs.length === 0) continue;
    const ids = v.variants.filter((id) => runs.some((r) => r.variant === id));
    const seeds = runs.map((r) => ({ variant: r.variant, seed: `seed ${r.seed}`, value: r.metric }));
    const stats = ids.map((id) => {
      const s = summarise(runs.filter((r) => r.variant === id).map((r) => r.metric));
      return { variant: id, mean: s.mean, lo: s.mean - s.std, hi: s.mean + s.std };
    });
    const ref = stats.find((s) => s.variant === 'V');
    const y = { field: 'variant', type: 'nominal', sort: ids, title: null };
    const x = { type: 'quantitative', scale: { zero: false }, title: `held-out ${METRIC[t].name} (lower is better)` };
    panels.push({
      title: `${taskTitle(t)}: ${v.config.steps} updates, H=${v.config.hidden}`,
      width: 320,
      height: 18 * ids.length,
      layer: [
        ...(ref ? [{ data: { values: [{ v: ref.mean }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#999' }, encoding: { x: { field: 'v', ...x } } }] : []),
        { data: { values: stats }, mark: { type: 'rule', strokeWidth: 2, color: '#333' }, encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' } } },
        { data: { values: seeds }, mark: { type: 'point', size: 28, opacity: 0.75, filled: false }, encoding: { y, x: { field: 'value', ...x }, color: { field: 'seed', type: 'nominal', title: null } } },
        { data: { values: stats }, mark: { type: 'point', shape: 'diamond', size: 60, filled: true, color: 'black' }, encoding: { y, x: { field: 'mean', ...x } } },
      ],
    });
  }
  if (panels.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, 'studyPlotSpec', 'doc', 'results with at least one finished run', 'none');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: panels,
    resolve: { scale: { x: 'independent' } },
    config: { font: 'DejaVu Sans', view: { stroke: '#ddd' } },
  };
}

/** Write `<name>.json`, `<name>.md` and (when a run finished) `<name>.svg` and `<name>.png` into `outDir`. */
export async function writeStudyFiles(doc: StudyDocument, outDir: string, o: { name?: string; notes?: string; plot?: boolean; reportCommand?: string } = {}): Promise<string[]> {
  const name = o.name ?? 'variants';
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const put = (file: string, data: string | Uint8Array) => {
    const path = join(outDir, file);
    writeFileSync(path, data);
    files.push(path);
  };
  put(`${name}.json`, JSON.stringify(doc, null, 1) + '\n');
  put(`${name}.md`, studyMarkdown(doc, { name, notes: o.notes, reportCommand: o.reportCommand }));
  const any = doc.parts.some((p) => p.runs.some((r) => Number.isFinite(r.metric)));
  if ((o.plot ?? true) && any) {
    const svg = await vegaLiteToSvg(studyPlotSpec(doc));
    put(`${name}.svg`, svg);
    put(`${name}.png`, await svgToPng(svg));
  }
  return files;
}

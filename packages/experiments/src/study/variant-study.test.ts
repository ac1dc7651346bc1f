import { describe, it, expect } from 'vitest';
import { expectNoLeaks } from '@rxrnn/testing';
import { runVariantStudy, studyConfig, type StudyRun, type StudyTask } from './variant-study.js';
import { STUDY_VARIANTS, countParams } from './variant-zoo.js';
import { studyDocument, studyMarkdown, studyPlotSpec, summarise, pairedDiffs, judgeClaim, mergeStudyDocuments, taskViews, PAPER_CLAIMS } from './study-report.js';

// A small corpus keeps the test fast (the study's default is Moby Dick).
const text = 'Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse. '.repeat(40);

describe('variant zoo', () => {
  it('builds every variant for X ≠ H (MUT1/MUT2 behind a projection) with the expected output size', () => {
    for (const v of STUDY_VARIANTS) {
      const core = v.build(2, 4, 1);
      expect(core.inputSize, v.id).toBe(2);
      expect(core.outputSize, v.id).toBe(4);
      expect(countParams(core), v.id).toBeGreaterThan(0);
      core.dispose();
    }
    // LSTM without peepholes: 4H(X + H + 1) parameters.
    const lstm = STUDY_VARIANTS.find((v) => v.id === 'LSTM-b1')!.build(3, 5, 1);
    expect(countParams(lstm)).toBe(4 * 5 * (3 + 5 + 1));
    lstm.dispose();
  });
});

describe('runVariantStudy', () => {
  it('trains 2 variants × 1 seed on both tasks, evaluates held-out metrics, and leaks nothing', async () => {
    const progress: number[] = [];
    const res = await expectNoLeaks(() => runVariantStudy({ quick: true, variants: ['lstm-b1', 'GRU'], seeds: 1, steps: 2, text }, (p) => void progress.push(p.done)), 'runVariantStudy');
    expect(res.planned).toBe(4);
    expect(res.runs.map((r) => `${r.task}/${r.variant}`)).toEqual(['char/LSTM-b1', 'char/GRU', 'adding/LSTM-b1', 'adding/GRU']);
    const V = res.taskInfo.char!.vocabulary as number;
    for (const r of res.runs) {
      expect(Number.isFinite(r.metric), `${r.task}/${r.variant}`).toBe(true);
      expect(r.metric).toBeGreaterThan(0);
      if (r.task === 'char') expect(r.metric).toBeLessThan(Math.log2(V) + 2); // near chance after 2 updates
      expect(r.curve.length).toBeGreaterThan(0);
      expect(r.params).toBeGreaterThan(r.coreParams);
    }
    // H = 8 in quick mode: the LSTM core has 4H(X + H + 1) with X = H (the embedding's size) on char, X = 2 on adding.
    expect(res.runs[0].coreParams).toBe(4 * 8 * (8 + 8 + 1));
    expect(res.runs[2].coreParams).toBe(4 * 8 * (2 + 8 + 1));
    expect(progress[progress.length - 1]).toBe(8);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('is reproducible: the same options give the same metrics', async () => {
    const o = { quick: true, variants: ['RNN'], tasks: ['adding' as StudyTask], seeds: 1, steps: 2 };
    const a = await runVariantStudy(o);
    const b = await runVariantStudy(o);
    expect(b.runs[0].metric).toBe(a.runs[0].metric);
  });

  it('rejects unknown variants and tasks', () => {
    expect(() => studyConfig({ variants: ['LSTM9'] })).toThrow(/options\.variants/);
    expect(() => studyConfig({ tasks: ['copy' as StudyTask] })).toThrow(/options\.tasks/);
    expect(() => studyConfig({ steps: 0 })).toThrow(/options\.steps/);
  });
});

describe('study report', () => {
  const run = (variant: string, seed: number, metric: number, task: StudyTask = 'adding'): StudyRun => ({ variant, task, seed, metric, params: 10, coreParams: 8, trainMetric: metric, curve: [{ step: 1, value: metric }], nonFinite: false, seconds: 1 });

  it('summarises with the sample standard deviation and pairs runs by seed', () => {
    const s = summarise([1, 2, 3, NaN]);
    expect(s).toMatchObject({ n: 3, failed: 1, mean: 2, min: 1, max: 3 });
    expect(s.std).toBeCloseTo(1, 12);
    const runs = [run('NFG', 1, 0.5), run('NFG', 2, 0.4), run('V', 2, 0.1), run('V', 1, 0.3), run('V', 3, 0.2)];
    expect(pairedDiffs(runs, 'adding', 'NFG', 'V').map((d) => +d.toFixed(6))).toEqual([0.2, 0.3]);
  });

  it('judges claims only when every seed agrees', () => {
    const nfg = PAPER_CLAIMS.find((c) => c.a === 'NFG')!;
    const cifg = PAPER_CLAIMS.find((c) => c.a === 'CIFG')!;
    const base = [run('V', 1, 0.3), run('V', 2, 0.3)];
    expect(judgeClaim(nfg, [...base, run('NFG', 1, 0.5), run('NFG', 2, 0.4)], 'adding').verdict).toBe('agrees');
    expect(judgeClaim(nfg, [...base, run('NFG', 1, 0.1), run('NFG', 2, 0.2)], 'adding').verdict).toBe('disagrees');
    expect(judgeClaim(nfg, [...base, run('NFG', 1, 0.5), run('NFG', 2, 0.2)], 'adding').verdict).toBe('inconclusive');
    expect(judgeClaim(cifg, [...base, run('CIFG', 1, 0.5), run('CIFG', 2, 0.2)], 'adding').verdict).toBe('agrees');
    expect(judgeClaim(cifg, [...base, run('CIFG', 1, 0.5), run('CIFG', 2, 0.4)], 'adding').verdict).toBe('disagrees');
    expect(judgeClaim(nfg, base, 'adding').verdict).toBe('no data');
    const fgr = PAPER_CLAIMS.find((c) => c.a === 'FGR')!;
    expect(fgr.expect).toBe('not-better');
    expect(judgeClaim(fgr, [...base, run('FGR', 1, 0.5), run('FGR', 2, 0.4)], 'adding').verdict).toBe('agrees');
    expect(judgeClaim(fgr, [...base, run('FGR', 1, 0.1), run('FGR', 2, 0.2)], 'adding').verdict).toBe('disagrees');
  });

  it('writes a markdown table per task, marks partial results, and makes a plot spec', async () => {
    const res = await runVariantStudy({ quick: true, variants: ['V', 'NFG'], seeds: 2, steps: 1, text });
    const doc = studyDocument(res, { command: 'rxrnn study variants --quick', started: '2026-01-01T00:00:00Z', backend: 'test' });
    const md = studyMarkdown(doc);
    expect(md).toContain('Complete: 8 runs.');
    expect(md).toContain('`rxrnn study variants --quick`');
    expect(md).toMatch(/### Character language model \(Moby Dick\): held-out bpc/);
    expect(md).toMatch(/### Adding problem: held-out mse/);
    for (const task of ['char', 'adding'] as const) {
      for (const id of ['V', 'NFG']) {
        const s = summarise(res.runs.filter((r) => r.task === task && r.variant === id).map((r) => r.metric));
        expect(md).toContain(`${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`);
      }
    }
    expect(md).toMatch(/\| removing the forget gate \(NFG\) hurts \(NFG vs V\) \| Greff et al\. 2017 \| char \|/);
    const cut = studyDocument({ ...res, runs: res.runs.slice(0, 3) }, { command: 'x', started: 'y', backend: 'test' });
    expect(cut.parts[0].partial).toBe(true);
    expect(studyMarkdown(cut)).toContain('**PARTIAL: 3 of 8 planned runs finished** (char: 3/4, adding: 0/4)');
    const spec = studyPlotSpec(doc) as { hconcat: Array<{ layer: unknown[] }> };
    expect(spec.hconcat).toHaveLength(2);
    // Seeds split over processes merge into one table; a run present twice is counted once.
    const seed2 = studyDocument({ ...res, runs: res.runs.filter((r) => r.seed === 2) }, { command: 'b', started: 'y', backend: 'test' });
    const merged = mergeStudyDocuments([cut, seed2, doc]);
    const views = taskViews(merged);
    expect(views.map((v) => [v.task, v.runs.length, v.planned, v.seeds])).toEqual([['char', 4, 4, [1, 2]], ['adding', 4, 4, [1, 2]]]);
    expect(views[0].repeats).toBe(5);
    expect(views[0].repeatMaxDiff).toBe(0);
    expect(studyMarkdown(merged).split('## Results')[1]).toBe(md.split('## Results')[1]);
    const other = studyDocument(await runVariantStudy({ quick: true, variants: ['V'], tasks: ['adding'], seeds: 1, steps: 2 }), { command: 'c', started: 'y', backend: 'test' });
    expect(() => mergeStudyDocuments([doc, other])).toThrow(/same budget for task 'adding'/);
  });
});

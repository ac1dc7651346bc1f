import { describe, it, expect } from 'vitest';
import { createRng } from '@rxrnn/core';
import { allDateFormats, renderDate, isoDate, type DateFormat } from './date-formats.js';
import { dateTask } from './date-task.js';

const NOV25 = new Date(Date.UTC(2026, 10, 25)); // a Wednesday
const f = (o: Partial<DateFormat>): DateFormat => ({ order: 'DMY', day: 'd', month: 'short', case: 'title', year: 'yyyy', sep: ' ', weekday: 'none', ...o });

describe('date formats', () => {
  it('write the formats of the issue', () => {
    expect(renderDate(NOV25, f({}))).toBe('25 Nov 2026');
    expect(renderDate(NOV25, f({ order: 'MDY', day: 'dth', month: 'full', sep: ', ' }))).toBe('November 25th, 2026');
    expect(renderDate(NOV25, f({ day: 'dd', month: 'num2', case: 'lower', sep: '/' }))).toBe('25/11/2026');
    expect(renderDate(NOV25, f({ month: 'full', weekday: 'full' }))).toBe('Wednesday 25 November 2026');
    expect(renderDate(NOV25, f({ order: 'YMD', day: 'dd', month: 'num2', case: 'lower', sep: '.' }))).toBe('2026.11.25');
    expect(renderDate(NOV25, f({ order: 'MDY', case: 'lower', year: 'yy' }))).toBe('nov 25 26');
    expect(renderDate(new Date(Date.UTC(2011, 0, 1)), f({ day: 'dth', case: 'upper', weekday: 'short', sep: '-' }))).toBe('SAT 1st-JAN-2011');
    expect(renderDate(new Date(Date.UTC(2012, 1, 12)), f({ day: 'dth' }))).toBe('12th Feb 2012');
    expect(isoDate(NOV25)).toBe('2026-11-25');
  });

  it('are unambiguous: no string stands for two dates', () => {
    const formats = allDateFormats();
    expect(formats.length).toBeGreaterThan(1000);
    const seen = new Map<string, string>();
    const rng = createRng(4);
    for (let i = 0; i < 60; i++) {
      const date = new Date(Date.UTC(2000, 0, 1) + rng.int(36525) * 86_400_000);
      for (const fm of formats) {
        const s = renderDate(date, fm);
        const iso = isoDate(date);
        expect(seen.get(s) ?? iso).toBe(iso);
        seen.set(s, iso);
      }
    }
  });
});

describe('dateTask: splits', () => {
  const task = dateTask({ validationSize: 500, testSize: 500 });

  it('holds out formats and dates: test and validation share neither with training nor with each other', () => {
    const names = (fs: DateFormat[]) => new Set(fs.map((x) => JSON.stringify(x)));
    const [tr, va, te] = [names(task.formats.train), names(task.formats.validation), names(task.formats.test)];
    for (const x of te) expect(tr.has(x) || va.has(x)).toBe(false);
    for (const x of va) expect(tr.has(x)).toBe(false);
    const testDates = new Set(task.test.map((p) => p.target));
    const valDates = new Set(task.validation.map((p) => p.target));
    for (const d of valDates) expect(testDates.has(d)).toBe(false);
    const testFormats = new Set(task.test.map((p) => p.format));
    const rng = createRng(9);
    for (let i = 0; i < 20000; i++) {
      const p = task.trainPair(rng);
      expect(testDates.has(p.target) || valDates.has(p.target)).toBe(false);
      expect(testFormats.has(p.format)).toBe(false);
    }
    expect(task.testSeenFormats.some((p) => valDates.has(p.target))).toBe(false); // held-out dates in training formats
  });

  it('is fixed by the task seed, and encodes characters to ids and back', () => {
    const again = dateTask({ validationSize: 500, testSize: 500 });
    expect(again.test).toEqual(task.test);
    expect(dateTask({ taskSeed: 2, validationSize: 500, testSize: 500 }).test).not.toEqual(task.test);
    const p = task.test[0];
    const src = task.encodeSource(p.source);
    expect(src.every((id) => id >= 1 && id < task.sourceVocab)).toBe(true);
    const tgt = task.encodeTarget(p.target);
    expect(task.decodeTarget([...tgt, task.eos, 5])).toBe(p.target);
    expect(() => task.encodeSource('25 Nov 2026!')).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => dateTask({ testSize: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.testSize' }));
  });
});

/**
 * Human date formats as combinations of components, and their rendering:
 *
 *     format = order × day style × month style × letter case × year style × separator × weekday
 *     e.g. DMY · d · short · title · yyyy · ' '  → "25 Nov 2026"
 *          MDY · dth · full · title · yyyy · ', ' → "November 25th, 2026"
 *          DMY · dd · num2 · – · yyyy · '/'     → "25/11/2026"
 *          YMD · dd · num2 · – · yyyy · '.'     → "2026.11.25"
 *          MDY · d · short · lower · yy · ' '    → "nov 25 26"
 *
 * Every format is unambiguous, so that the target is a function of the string: numeric months only
 * day-first (DMY) or year-first (YMD), never month-first; two-digit years only beside a month name
 * and never year-first (dates run 2000–2099, so "26" is 2026); ordinals only beside a month name.
 * Holding out whole formats (combinations) tests composition: each component is seen in training,
 * the held-out combination is not.
 */

export type DateOrder = 'DMY' | 'MDY' | 'YMD';
export type DayStyle = 'd' | 'dd' | 'dth';
export type MonthStyle = 'num' | 'num2' | 'short' | 'full';
export type LetterCase = 'lower' | 'title' | 'upper';
export type YearStyle = 'yyyy' | 'yy';
export type DateSeparator = ' ' | '/' | '-' | '.' | ', ';
export type WeekdayStyle = 'none' | 'short' | 'full';

/** One format: how a date is written. */
export interface DateFormat {
  order: DateOrder;
  day: DayStyle;
  month: MonthStyle;
  /** Case of month and weekday names ('lower' for all-numeric formats). */
  case: LetterCase;
  year: YearStyle;
  /** Between the three fields (with ', ' MDY writes "Nov 25, 2026": the comma goes before the year only). */
  sep: DateSeparator;
  /** A weekday in front: "Wednesday 25 November 2026", "Wed, 25/11/2026". */
  weekday: WeekdayStyle;
}

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** A stable name for a format, e.g. `DMY.d.short.title.yyyy.sp.none`. */
export function formatName(f: DateFormat): string {
  const sep = { ' ': 'sp', '/': 'slash', '-': 'dash', '.': 'dot', ', ': 'comma' }[f.sep];
  return [f.order, f.day, f.month, f.case, f.year, sep, f.weekday].join('.');
}

/** Every valid format (the constraints of the module comment), in a fixed order. */
export function allDateFormats(): DateFormat[] {
  const out: DateFormat[] = [];
  const orders: DateOrder[] = ['DMY', 'MDY', 'YMD'];
  const days: DayStyle[] = ['d', 'dd', 'dth'];
  const months: MonthStyle[] = ['num', 'num2', 'short', 'full'];
  const cases: LetterCase[] = ['lower', 'title', 'upper'];
  const years: YearStyle[] = ['yyyy', 'yy'];
  const seps: DateSeparator[] = [' ', '/', '-', '.', ', '];
  const weekdays: WeekdayStyle[] = ['none', 'short', 'full'];
  for (const order of orders)
    for (const day of days)
      for (const month of months)
        for (const c of cases)
          for (const year of years)
            for (const sep of seps)
              for (const weekday of weekdays) {
                const numeric = month === 'num' || month === 'num2';
                if (numeric && (order === 'MDY' || day === 'dth' || year === 'yy' || sep === ', ')) continue;
                if (numeric && weekday === 'none' && c !== 'lower') continue; // no names: case is moot
                if (year === 'yy' && order === 'YMD') continue;
                if (!numeric && (sep === '/' || sep === '.') && day === 'dth') continue; // "25th/Nov/2026" is no one's format
                out.push({ order, day, month, case: c, year, sep, weekday });
              }
  return out;
}

function cased(s: string, c: LetterCase): string {
  return c === 'lower' ? s.toLowerCase() : c === 'upper' ? s.toUpperCase() : s;
}

function ordinal(d: number): string {
  const tens = d % 100;
  if (tens >= 11 && tens <= 13) return `${d}th`;
  return `${d}${['th', 'st', 'nd', 'rd'][d % 10] ?? 'th'}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Write the date (UTC fields of `date`) in format `f`. */
export function renderDate(date: Date, f: DateFormat): string {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth(); // 0..11
  const d = date.getUTCDate();
  const day = f.day === 'd' ? String(d) : f.day === 'dd' ? pad2(d) : ordinal(d);
  const month = f.month === 'num' ? String(m + 1) : f.month === 'num2' ? pad2(m + 1) : cased(f.month === 'short' ? MONTHS[m].slice(0, 3) : MONTHS[m], f.case);
  const year = f.year === 'yyyy' ? String(y) : pad2(y % 100);
  let body: string;
  if (f.sep === ', ') {
    // the comma goes before the year: "25 Nov, 2026", "Nov 25, 2026", "2026, Nov 25"
    if (f.order === 'DMY') body = `${day} ${month}, ${year}`;
    else if (f.order === 'MDY') body = `${month} ${day}, ${year}`;
    else body = `${year}, ${month} ${day}`;
  } else {
    const parts = f.order === 'DMY' ? [day, month, year] : f.order === 'MDY' ? [month, day, year] : [year, month, day];
    body = parts.join(f.sep);
  }
  if (f.weekday === 'none') return body;
  const wd = WEEKDAYS[date.getUTCDay()];
  const name = cased(f.weekday === 'short' ? wd.slice(0, 3) : wd, f.case);
  return `${name}${f.sep === ', ' || f.month === 'num' || f.month === 'num2' ? ', ' : ' '}${body}`;
}

/** The ISO 8601 form "2026-11-25" (the translation's target). */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

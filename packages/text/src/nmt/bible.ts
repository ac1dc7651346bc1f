/**
 * English → Spanish verse pairs from two public-domain Bibles: the World English Bible (SWORD module
 * `engWEB2015eb`, Debian `sword-text-web`) and the Reina-Valera 1909 (`spaRV1909eb`, Debian
 * `sword-text-sparv`), as printed by the SWORD front end `diatheke -f OSIS` (Debian `diatheke`).
 * Both modules use the KJV versification, so a verse is joined with the verse of the same
 * (book, chapter, verse). tools/data/bible.ts runs the export; this module is the pure part:
 * parsing, cleaning, joining and the split by book.
 *
 * ```ts
 * const en = parseDiatheke(diathekeOutputEn, bookById('Jude'));
 * const es = parseDiatheke(diathekeOutputEs, bookById('Jude'));
 * const { pairs, dropped } = joinVerses(resolveHeadings(en.verses), resolveHeadings(es.verses));
 * const { train, validation, test } = splitByBook(pairs, chooseHeldOutBooks());
 * ```
 *
 * What diatheke prints, and what is done about it (each seen in the real output):
 * - one line per verse, `<Book name> <chapter>:<verse>: <text>`, then a last line `(<module>)`;
 * - words in `<w>` elements (the Spanish ones with Strong's numbers as `lemma` attributes, dropped),
 *   sometimes with no space between two of them (`<w>God</w><w>created</w>`) or after punctuation
 *   (`<w>Jude</w>,<w>a</w>`): a space is put back; `<milestone type="line"/>` (a poetry line) is a space;
 * - the WEB's psalm titles (and the Hebrew letters of Psalm 119) are printed before the reference, on
 *   the verse's line, and repeated before every later verse, across chapters too, until the next title:
 *   a title is kept once, in front of its first verse (the RV has them inside verse 1); a verse 1 whose
 *   title equals the previous verse's is ambiguous (a repeat, or the same title again, as in the Songs of
 *   Ascents), settled by exporting that chapter alone ({@link resolveHeadings});
 * - the WEB's glossary follows Revelation 22:21 after a run of spaces: cut at 8 or more spaces;
 * - the RV ends the last verse of each letter of Paul (and Hebrews) with its subscription, after the
 *   final "Amén." ("… Amén. La primera á los Corintios fué enviada de Filipos …"): cut after "Amén.".
 */
import { rxrnnError, ErrorCodes, describe, createRng } from '@rxrnn/core';

/** The SWORD modules, by language. */
export const BIBLE_MODULES = { en: 'engWEB2015eb', es: 'spaRV1909eb' } as const;

export interface BibleBook {
  /** OSIS id, also the key diatheke is given (`-k Gen`). */
  id: string;
  /** The name diatheke prints in references (both modules, English locale). */
  name: string;
  testament: 'OT' | 'NT';
  /** Verses in the KJV versification (what both modules print). */
  verses: number;
}

const book = (id: string, name: string, testament: 'OT' | 'NT', verses: number): BibleBook => ({ id, name, testament, verses });

/** The 66 books both translations have, in order (the WEB's deuterocanon is left out: the RV 1909 has none). */
export const BIBLE_BOOKS: readonly BibleBook[] = [
  book('Gen', 'Genesis', 'OT', 1533), book('Exod', 'Exodus', 'OT', 1213), book('Lev', 'Leviticus', 'OT', 859),
  book('Num', 'Numbers', 'OT', 1288), book('Deut', 'Deuteronomy', 'OT', 959), book('Josh', 'Joshua', 'OT', 658),
  book('Judg', 'Judges', 'OT', 618), book('Ruth', 'Ruth', 'OT', 85), book('1Sam', 'I Samuel', 'OT', 810),
  book('2Sam', 'II Samuel', 'OT', 695), book('1Kgs', 'I Kings', 'OT', 816), book('2Kgs', 'II Kings', 'OT', 719),
  book('1Chr', 'I Chronicles', 'OT', 942), book('2Chr', 'II Chronicles', 'OT', 822), book('Ezra', 'Ezra', 'OT', 280),
  book('Neh', 'Nehemiah', 'OT', 406), book('Esth', 'Esther', 'OT', 167), book('Job', 'Job', 'OT', 1070),
  book('Ps', 'Psalms', 'OT', 2461), book('Prov', 'Proverbs', 'OT', 915), book('Eccl', 'Ecclesiastes', 'OT', 222),
  book('Song', 'Song of Solomon', 'OT', 117), book('Isa', 'Isaiah', 'OT', 1292), book('Jer', 'Jeremiah', 'OT', 1364),
  book('Lam', 'Lamentations', 'OT', 154), book('Ezek', 'Ezekiel', 'OT', 1273), book('Dan', 'Daniel', 'OT', 357),
  book('Hos', 'Hosea', 'OT', 197), book('Joel', 'Joel', 'OT', 73), book('Amos', 'Amos', 'OT', 146),
  book('Obad', 'Obadiah', 'OT', 21), book('Jonah', 'Jonah', 'OT', 48), book('Mic', 'Micah', 'OT', 105),
  book('Nah', 'Nahum', 'OT', 47), book('Hab', 'Habakkuk', 'OT', 56), book('Zeph', 'Zephaniah', 'OT', 53),
  book('Hag', 'Haggai', 'OT', 38), book('Zech', 'Zechariah', 'OT', 211), book('Mal', 'Malachi', 'OT', 55),
  book('Matt', 'Matthew', 'NT', 1071), book('Mark', 'Mark', 'NT', 678), book('Luke', 'Luke', 'NT', 1151),
  book('John', 'John', 'NT', 879), book('Acts', 'Acts', 'NT', 1007), book('Rom', 'Romans', 'NT', 433),
  book('1Cor', 'I Corinthians', 'NT', 437), book('2Cor', 'II Corinthians', 'NT', 257), book('Gal', 'Galatians', 'NT', 149),
  book('Eph', 'Ephesians', 'NT', 155), book('Phil', 'Philippians', 'NT', 104), book('Col', 'Colossians', 'NT', 95),
  book('1Thess', 'I Thessalonians', 'NT', 89), book('2Thess', 'II Thessalonians', 'NT', 47), book('1Tim', 'I Timothy', 'NT', 113),
  book('2Tim', 'II Timothy', 'NT', 83), book('Titus', 'Titus', 'NT', 46), book('Phlm', 'Philemon', 'NT', 25),
  book('Heb', 'Hebrews', 'NT', 303), book('Jas', 'James', 'NT', 108), book('1Pet', 'I Peter', 'NT', 105),
  book('2Pet', 'II Peter', 'NT', 61), book('1John', 'I John', 'NT', 105), book('2John', 'II John', 'NT', 13),
  book('3John', 'III John', 'NT', 14), book('Jude', 'Jude', 'NT', 25), book('Rev', 'Revelation of John', 'NT', 404),
];

/** The book with OSIS id `id`; `E_UNKNOWN` otherwise. */
export function bookById(id: string): BibleBook {
  const b = BIBLE_BOOKS.find((x) => x.id === id);
  if (!b) throw rxrnnError(ErrorCodes.UNKNOWN, 'bookById', 'id', 'an OSIS book id such as "Gen" or "Jude"', describe(id));
  return b;
}

export interface Verse {
  book: string;
  chapter: number;
  verse: number;
  /** The cleaned text ('' for an empty verse). */
  text: string;
  /** The cleaned text diatheke printed before the reference (a psalm title, repeated), or ''. */
  heading: string;
}

export interface ParsedBook {
  verses: Verse[];
  /** The module name of the last line, `(engWEB2015eb)`, or '' when there is none. */
  module: string;
}

/** The letters whose last verse the RV follows with a subscription (KJV-style colophon). */
const SUBSCRIBED = new Set(['Rom', '1Cor', '2Cor', 'Gal', 'Eph', 'Phil', 'Col', '1Thess', '2Thess', '1Tim', '2Tim', 'Titus', 'Phlm', 'Heb']);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Verse markup (diatheke's OSIS output) → plain text: see the list in the module comment. */
export function cleanVerseMarkup(markup: string): string {
  return markup
    .replace(/<\/w>\s*<w(?=[\s>])/g, '</w> <w') // two words with no space between them
    .replace(/<milestone\b[^>]*\/>/g, ' ') // a poetry line
    .replace(/<[^>]*>/g, '') // any other element: keep its text
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/ {8,}[^]*$/, '') // the WEB's glossary after Revelation 22:21
    .replace(/(\p{L}[.,;:!?])(?=[\p{L}“‘¿¡(])/gu, '$1 ') // 'Jude,a' → 'Jude, a'
    .replace(/\s+/g, ' ')
    .trim()
    .normalize('NFC');
}

/**
 * Parse diatheke's output for one book (`diatheke -b <module> -f OSIS -k <book id>`): one verse per
 * reference line; a line without a reference continues the verse before it. Throws `E_FORMAT` when
 * no verse of `book` is found or a reference names another book.
 */
export function parseDiatheke(output: string, book: BibleBook): ParsedBook {
  if (typeof output !== 'string') throw rxrnnError(ErrorCodes.ARGUMENT, 'parseDiatheke', 'output', 'a string', describe(output));
  const ref = new RegExp(`(?:^|\\s)${escapeRegExp(book.name)} (\\d+):(\\d+):(?: |$)`);
  const lines = output.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  let module = '';
  const last = /^\(([^()]+)\)$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (last) {
    module = last[1]!;
    lines.pop();
  }
  const raw: { chapter: number; verse: number; heading: string; text: string }[] = [];
  for (const line of lines) {
    const m = ref.exec(line);
    if (!m) {
      if (raw.length === 0) {
        if (line.trim() === '') continue;
        throw rxrnnError(ErrorCodes.FORMAT, 'parseDiatheke', 'output', `lines starting "${book.name} <chapter>:<verse>: "`, `"${line.slice(0, 60)}"`);
      }
      raw[raw.length - 1]!.text += ' ' + line;
      continue;
    }
    raw.push({ chapter: Number(m[1]), verse: Number(m[2]), heading: line.slice(0, m.index), text: line.slice(m.index + m[0].length) });
  }
  if (raw.length === 0) throw rxrnnError(ErrorCodes.FORMAT, 'parseDiatheke', 'output', `verses of ${book.name}`, 'none');
  const verses = raw.map((r) => ({ book: book.id, chapter: r.chapter, verse: r.verse, text: cleanVerseMarkup(r.text), heading: cleanVerseMarkup(r.heading) }));
  if (SUBSCRIBED.has(book.id)) {
    const last = verses[verses.length - 1]!;
    last.text = last.text.replace(/^(.*\bAm[eé]n\.)\s+\S.*$/u, '$1');
  }
  return { verses, module };
}

/**
 * The chapters whose verse 1 has the same heading as the verse before it: a repeated title, or the
 * same title again (e.g. Psalms 120 and 121, both "A Song of Ascents."). Export each alone to know.
 */
export function ambiguousHeadingChapters(verses: readonly Verse[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < verses.length; i++) {
    const v = verses[i]!;
    if (v.verse === 1 && v.heading !== '' && v.heading === verses[i - 1]!.heading) out.push(v.chapter);
  }
  return out;
}

/**
 * Put each title in front of the first verse it belongs to, and drop the repeats: a heading that
 * differs from the previous verse's is new; for an ambiguous verse 1 ({@link ambiguousHeadingChapters}),
 * `chapterTitles` says what the chapter exported alone printed before its verse 1 ('' for nothing;
 * a chapter not in it is taken as a repeat). Returns new verses with `heading: ''`.
 */
export function resolveHeadings(verses: readonly Verse[], chapterTitles: ReadonlyMap<number, string> = new Map()): Verse[] {
  return verses.map((v, i) => {
    const previous = i > 0 ? verses[i - 1]!.heading : '';
    let title = v.heading !== '' && v.heading !== previous ? v.heading : '';
    if (v.verse === 1 && v.heading !== '' && v.heading === previous) title = chapterTitles.get(v.chapter) ?? '';
    return { ...v, text: title === '' ? v.text : v.text === '' ? title : `${title} ${v.text}`, heading: '' };
  });
}

export interface VersePair {
  book: string;
  chapter: number;
  verse: number;
  en: string;
  es: string;
}

export interface JoinOptions {
  /**
   * Drop a pair whose longer side has more than this many times the characters of the shorter (one
   * translation put text of a neighbouring verse in this one, or the versifications differ there);
   * default 2 (the Spanish verses are about 1.1 times as long).
   */
  maxLengthRatio?: number;
  /**
   * Drop a whole chapter (of 4 pairs or more) whose verse lengths fit this much better when the
   * Spanish is shifted by one verse: the RV numbers a few chapters as the Hebrew Bible does (Spanish
   * verse n + 1 is English verse n). The fit is the mean |log(es/en) − m| over the chapter's
   * neighbouring pairs, m the median over all pairs given; a chapter is shifted when the better
   * shifted fit is below `maxShiftFit` times the unshifted one. Default 0.85: on the whole Bible
   * this finds Numbers 13 and 30, I Samuel 24, Hosea 12 and Jonah 2 (about 0.35–0.83), each read
   * and confirmed shifted; the next chapter, Lamentations 5 (about 0.9), is aligned. `0` turns it off.
   */
  maxShiftFit?: number;
}

/** Why verses were left out of the pairs, counted. */
export interface DroppedCounts {
  /** In English only (no Spanish verse of that reference). */
  onlyEn: number;
  onlyEs: number;
  /** The English verse is empty (the WEB leaves out some verses of the KJV versification). */
  emptyEn: number;
  emptyEs: number;
  /** Lengths too different: {@link JoinOptions.maxLengthRatio}. */
  lengthRatio: number;
  /** Pairs of the chapters numbered differently: {@link JoinOptions.maxShiftFit}. */
  shiftedChapters: number;
}

export interface JoinResult {
  pairs: VersePair[];
  dropped: DroppedCounts;
  /** The chapters dropped as shifted, `Num 13`. */
  shifted: string[];
}

/** Join the verses of the two translations on (book, chapter, verse), in the English order. */
export function joinVerses(en: readonly Verse[], es: readonly Verse[], options: JoinOptions = {}): JoinResult {
  const maxRatio = options.maxLengthRatio ?? 2;
  const maxShiftFit = options.maxShiftFit ?? 0.85;
  if (!(maxRatio >= 1)) throw rxrnnError(ErrorCodes.ARGUMENT, 'joinVerses', 'options.maxLengthRatio', 'a number ≥ 1', describe(maxRatio));
  if (!(maxShiftFit >= 0 && maxShiftFit <= 1)) throw rxrnnError(ErrorCodes.ARGUMENT, 'joinVerses', 'options.maxShiftFit', 'a number in [0, 1]', describe(maxShiftFit));
  const key = (v: Verse) => `${v.book} ${v.chapter}:${v.verse}`;
  const spanish = new Map(es.map((v) => [key(v), v]));
  const english = new Set(en.map(key));
  const dropped: DroppedCounts = { onlyEn: 0, onlyEs: es.filter((v) => !english.has(key(v))).length, emptyEn: 0, emptyEs: 0, lengthRatio: 0, shiftedChapters: 0 };
  const pairs: VersePair[] = [];
  for (const e of en) {
    const s = spanish.get(key(e));
    if (!s) {
      dropped.onlyEn++;
    } else if (e.text === '') {
      dropped.emptyEn++;
    } else if (s.text === '') {
      dropped.emptyEs++;
    } else if (Math.max(e.text.length, s.text.length) > maxRatio * Math.min(e.text.length, s.text.length)) {
      dropped.lengthRatio++;
    } else {
      pairs.push({ book: e.book, chapter: e.chapter, verse: e.verse, en: e.text, es: s.text });
    }
  }
  const shifted = maxShiftFit > 0 ? shiftedChapters(pairs, maxShiftFit) : [];
  const kept = pairs.filter((p) => !shifted.includes(`${p.book} ${p.chapter}`));
  dropped.shiftedChapters = pairs.length - kept.length;
  return { pairs: kept, dropped, shifted };
}

/** The chapters whose lengths fit better with the Spanish one verse later or earlier (see {@link JoinOptions.maxShiftFit}). */
function shiftedChapters(pairs: readonly VersePair[], maxShiftFit: number): string[] {
  const logRatio = (en: string, es: string) => Math.log(es.length / en.length);
  const sorted = pairs.map((p) => logRatio(p.en, p.es)).sort((a, b) => a - b);
  const m = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const cost = (en: string, es: string) => Math.abs(logRatio(en, es) - m);
  const chapters = new Map<string, VersePair[]>();
  for (const p of pairs) {
    const k = `${p.book} ${p.chapter}`;
    if (!chapters.has(k)) chapters.set(k, []);
    chapters.get(k)!.push(p);
  }
  const out: string[] = [];
  for (const [k, ps] of chapters) {
    if (ps.length < 4) continue;
    let same = 0;
    let later = 0; // English verse i with Spanish verse i + 1
    let earlier = 0;
    for (let i = 0; i + 1 < ps.length; i++) {
      same += cost(ps[i]!.en, ps[i]!.es);
      later += cost(ps[i]!.en, ps[i + 1]!.es);
      earlier += cost(ps[i + 1]!.en, ps[i]!.es);
    }
    if (Math.min(later, earlier) < maxShiftFit * same) out.push(k);
  }
  return out;
}

export interface BibleSplit {
  /** OSIS ids of the validation books. */
  validation: string[];
  /** OSIS ids of the test books (never seen in training or validation). */
  test: string[];
  seed: number;
  fraction: number;
}

/** The seed of the project's split; tools/data/bible.ts and docs/translation.md use it. */
export const BIBLE_SPLIT_SEED = 16;

/**
 * Choose whole books to hold out, from the Old and the New Testament alike: for each testament, its
 * books in a seeded shuffle, each taken for validation while it fits in `fraction` of that testament's
 * verses, then the same for test from the books left. So about `fraction` of each testament is
 * validation, as much is test, and no book is split.
 */
export function chooseHeldOutBooks(seed = BIBLE_SPLIT_SEED, fraction = 0.05): BibleSplit {
  if (!Number.isInteger(seed)) throw rxrnnError(ErrorCodes.ARGUMENT, 'chooseHeldOutBooks', 'seed', 'an integer', describe(seed));
  if (!(fraction > 0 && fraction < 0.5)) throw rxrnnError(ErrorCodes.ARGUMENT, 'chooseHeldOutBooks', 'fraction', 'a number in (0, 0.5)', describe(fraction));
  const rng = createRng(seed);
  const split: BibleSplit = { validation: [], test: [], seed, fraction };
  for (const testament of ['OT', 'NT'] as const) {
    const books = BIBLE_BOOKS.filter((b) => b.testament === testament);
    const budget = fraction * books.reduce((s, b) => s + b.verses, 0);
    for (let i = books.length - 1; i > 0; i--) {
      // Fisher–Yates
      const j = Math.floor(rng.next() * (i + 1));
      [books[i], books[j]] = [books[j]!, books[i]!];
    }
    const taken = new Set<string>();
    for (const part of ['validation', 'test'] as const) {
      let used = 0;
      for (const b of books) {
        if (taken.has(b.id) || used + b.verses > budget) continue;
        taken.add(b.id);
        used += b.verses;
        split[part].push(b.id);
      }
    }
  }
  const order = (ids: string[]) => ids.sort((a, b) => BIBLE_BOOKS.findIndex((x) => x.id === a) - BIBLE_BOOKS.findIndex((x) => x.id === b));
  order(split.validation);
  order(split.test);
  return split;
}

export interface SplitPairs {
  train: VersePair[];
  validation: VersePair[];
  test: VersePair[];
}

/** Put every pair in the part its book belongs to (`E_ARGUMENT` when a book is in both held-out lists). */
export function splitByBook(pairs: readonly VersePair[], split: Pick<BibleSplit, 'validation' | 'test'>): SplitPairs {
  const both = split.validation.filter((b) => split.test.includes(b));
  if (both.length > 0) throw rxrnnError(ErrorCodes.ARGUMENT, 'splitByBook', 'split', 'validation and test books apart', `${both.join(', ')} in both`);
  const out: SplitPairs = { train: [], validation: [], test: [] };
  for (const p of pairs) {
    if (split.validation.includes(p.book)) out.validation.push(p);
    else if (split.test.includes(p.book)) out.test.push(p);
    else out.train.push(p);
  }
  return out;
}

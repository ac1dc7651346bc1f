/**
 * The English → Spanish translation data: the World English Bible and the Reina-Valera 1909 (both in
 * the public domain), exported from Debian's SWORD packages, joined on verse, cleaned, split by whole
 * books, with a joint BPE vocabulary learned on the training books.
 *
 *     bash tools/setup/apt.sh diatheke sword-text-web sword-text-sparv     # once
 *     npx tsx --conditions=@rxrnn/source tools/data/bible.ts --out tmp/data/bible [--vocab 8000] [--seed 16]
 *
 * Writes into --out (nothing of it is committed):
 *   train.jsonl, validation.jsonl, test.jsonl   one pair a line: {"book","chapter","verse","en","es"}
 *   train.en.txt, train.es.txt                  the training side of each language, a verse a line
 *   bpe.json                                    the joint BPE (Hugging Face tokenizer.json), train books only
 *   stats.json                                  pairs, words and subword tokens per split and per book, what
 *                                               was dropped and why, the held-out books, the seed
 * The stats.json of the run docs/translation.md cites: tools/data/results/bible-stats.json.
 * Parsing, cleaning, joining and the split are in @rxrnn/text (packages/text/src/nmt/bible.ts); the
 * export runs diatheke once per book and module (about 6 minutes), plus once per Psalm whose title is
 * ambiguous in the book's export.
 */
process.env.RAYON_NUM_THREADS ??= '1'; // the BPE trainer's threads (Rust rayon, read when tokenizers is first used): one, on a shared machine
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import {
  BIBLE_BOOKS,
  BIBLE_MODULES,
  BIBLE_SPLIT_SEED,
  ambiguousHeadingChapters,
  chooseHeldOutBooks,
  joinVerses,
  parseDiatheke,
  resolveHeadings,
  splitByBook,
  trainSubwords,
  SUBWORD_SPECIALS,
  type BibleBook,
  type DroppedCounts,
  type Verse,
  type VersePair,
} from '@rxrnn/text';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'tmp/data/bible' }, vocab: { type: 'string', default: '8000' }, seed: { type: 'string', default: String(BIBLE_SPLIT_SEED) } },
});
const out = resolve(values.out);
const vocabSize = Number(values.vocab);
const seed = Number(values.seed);
if (!Number.isInteger(vocabSize) || vocabSize < 100) throw new Error(`tools/data/bible.ts: --vocab: expected an integer ≥ 100, received ${values.vocab}`);
if (!Number.isInteger(seed)) throw new Error(`tools/data/bible.ts: --seed: expected an integer, received ${values.seed}`);

// The Debian packages: diatheke, and the two modules it must list
const list = spawnSync('diatheke', ['-b', 'system', '-k', 'modulelist'], { encoding: 'utf8' });
const missing = Object.values(BIBLE_MODULES).filter((m) => !new RegExp(`^${m} `, 'm').test(list.stdout ?? ''));
if (list.error || list.status !== 0 || missing.length > 0) {
  const what = list.error || list.status !== 0 ? 'diatheke is not installed' : `diatheke lists no ${missing.join(', ')}`;
  console.error(`tools/data/bible.ts: ${what}; install the Bibles with: bash tools/setup/apt.sh diatheke sword-text-web sword-text-sparv`);
  process.exit(1);
}

/** diatheke's OSIS output for `key` in `module` (asynchronous, so the progress bar keeps moving). */
function diatheke(module: string, key: string): Promise<string> {
  return new Promise((ok, fail) => {
    const p = spawn('diatheke', ['-b', module, '-f', 'OSIS', '-k', key], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', fail);
    p.on('close', (code) => (code === 0 ? ok(stdout) : fail(new Error(`diatheke -b ${module} -k ${key}: exit ${code}: ${stderr.trim()}`))));
  });
}

/** One book of one module, with its psalm titles placed (ambiguous chapters exported alone). */
async function exportBook(module: string, book: BibleBook): Promise<Verse[]> {
  const { verses, module: printed } = parseDiatheke(await diatheke(module, book.id), book);
  if (printed !== module) throw new Error(`tools/data/bible.ts: diatheke -b ${module} -k ${book.id} printed module "${printed}"`);
  const titles = new Map<number, string>();
  for (const chapter of ambiguousHeadingChapters(verses)) {
    const alone = parseDiatheke(await diatheke(module, `${book.id} ${chapter}`), book).verses;
    titles.set(chapter, alone.find((v) => v.chapter === chapter && v.verse === 1)?.heading ?? '');
  }
  return resolveHeadings(verses, titles);
}

const words = (s: string) => s.split(/\s+/).filter((w) => w !== '').length;

const started = Date.now();
mkdirSync(out, { recursive: true });
const bar = new cliProgress.SingleBar({ format: 'export {bar} {value}/{total} books | {book} | {pairs} pairs', hideCursor: true }, cliProgress.Presets.shades_classic);
bar.start(BIBLE_BOOKS.length, 0, { book: '', pairs: 0 });
const pairs: VersePair[] = [];
const dropped: DroppedCounts = { onlyEn: 0, onlyEs: 0, emptyEn: 0, emptyEs: 0, lengthRatio: 0, shiftedChapters: 0 };
const shifted: string[] = [];
const perBook: Record<string, { testament: string; pairs: number; dropped: DroppedCounts }> = {};
for (const book of BIBLE_BOOKS) {
  bar.update({ book: book.id });
  const en = await exportBook(BIBLE_MODULES.en, book);
  const es = await exportBook(BIBLE_MODULES.es, book);
  const joined = joinVerses(en, es);
  pairs.push(...joined.pairs);
  shifted.push(...joined.shifted);
  for (const k of Object.keys(dropped) as (keyof DroppedCounts)[]) dropped[k] += joined.dropped[k];
  perBook[book.id] = { testament: book.testament, pairs: joined.pairs.length, dropped: joined.dropped };
  bar.increment(1, { pairs: pairs.length });
}
bar.stop();

const split = chooseHeldOutBooks(seed);
const parts = splitByBook(pairs, split);
for (const [name, part] of Object.entries(parts) as [string, VersePair[]][]) writeFileSync(join(out, `${name}.jsonl`), part.map((p) => JSON.stringify(p)).join('\n') + '\n');
writeFileSync(join(out, 'train.en.txt'), parts.train.map((p) => p.en).join('\n') + '\n');
writeFileSync(join(out, 'train.es.txt'), parts.train.map((p) => p.es).join('\n') + '\n');

console.log(`learning a joint BPE of ${vocabSize} tokens on the ${parts.train.length} training pairs …`);
const bpe = await trainSubwords([join(out, 'train.en.txt'), join(out, 'train.es.txt')], { vocabSize });
bpe.save(join(out, 'bpe.json'));

const count = async (part: VersePair[]) => {
  const [en, es] = [await bpe.encodeBatch(part.map((p) => p.en)), await bpe.encodeBatch(part.map((p) => p.es))];
  const unkId = bpe.tokenId(SUBWORD_SPECIALS.unk);
  const unk = (ids: number[][]) => ids.reduce((s, x) => s + x.filter((i) => i === unkId).length, 0);
  return {
    pairs: part.length,
    words: { en: part.reduce((s, p) => s + words(p.en), 0), es: part.reduce((s, p) => s + words(p.es), 0) },
    subwords: { en: en.reduce((s, x) => s + x.length, 0), es: es.reduce((s, x) => s + x.length, 0) },
    unknownSubwords: { en: unk(en), es: unk(es) },
    books: [...new Set(part.map((p) => p.book))],
  };
};
const stats = {
  command: `npx tsx --conditions=@rxrnn/source tools/data/bible.ts --out ${values.out} --vocab ${vocabSize} --seed ${seed}`,
  modules: BIBLE_MODULES,
  pairs: pairs.length,
  dropped,
  shiftedChapters: shifted,
  split: { seed, fraction: split.fraction, validation: split.validation, test: split.test },
  splits: { train: await count(parts.train), validation: await count(parts.validation), test: await count(parts.test) },
  subwords: { kind: 'joint BPE (Hugging Face tokenizers)', vocabSize: bpe.vocabSize, file: 'bpe.json' },
  books: Object.fromEntries(
    await Promise.all(
      BIBLE_BOOKS.map(async (b) => {
        const part = pairs.filter((p) => p.book === b.id);
        const c = await count(part);
        const where = split.validation.includes(b.id) ? 'validation' : split.test.includes(b.id) ? 'test' : 'train';
        return [b.id, { split: where, testament: b.testament, pairs: c.pairs, words: c.words, subwords: c.subwords, dropped: perBook[b.id]!.dropped }] as const;
      }),
    ),
  ),
  seconds: Math.round((Date.now() - started) / 1000),
};
writeFileSync(join(out, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
const s = stats.splits;
console.log(`${pairs.length} pairs (dropped: ${Object.entries(dropped).map(([k, v]) => `${k} ${v}`).join(', ')}; shifted: ${shifted.join(', ')})`);
console.log(`train ${s.train.pairs}, validation ${s.validation.pairs} (${split.validation.join(' ')}), test ${s.test.pairs} (${split.test.join(' ')})`);
console.log(`BPE ${bpe.vocabSize} tokens; train subwords en ${s.train.subwords.en}, es ${s.train.subwords.es}; written to ${values.out} in ${stats.seconds} s`);

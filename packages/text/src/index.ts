export { CharCodec } from './char-codec.js';
export type { CharIo } from './char-codec.js';
export { sampleLogits } from './sample-logits.js';
export { charAdapter } from './char-adapter.js';
export type { CharRow } from './char-adapter.js';
export { loadMobyDick } from './moby-dick.js';
export { splitCorpus, streamChunks } from './char-data.js';
export type { CharSplit, StreamChunks } from './char-data.js';
export { CHAR_RNN_RECIPE, recipeSchedule } from './char-rnn-recipe.js';
export type { CharRnnRecipe } from './char-rnn-recipe.js';
export { charRnnModel, evalBpc, trainCharRnn } from './char-rnn.js';
export type { CharRnnModelOptions, EvalBpcOptions, CurvePoint, TrainCharRnnOptions, CharRnnCheckpoint, TrainCharRnnResult } from './char-rnn.js';
export { saveCharRnn, loadCharModel, loadCharRnnCheckpoint } from './char-files.js';
export type { SaveCharRnnMeta } from './char-files.js';
export { sampleText } from './sample-text.js';
export type { SampleTextOptions } from './sample-text.js';
// Visualising char models (Karpathy, Johnson & Fei-Fei 2016)
export { traceActivations, unitSeries } from './viz/activation-trace.js';
export type { CharModel, LayerTrace, ActivationTrace, TraceOptions } from './viz/activation-trace.js';
export { textFeatures, predicateFeature } from './viz/features.js';
export type { TextFeature } from './viz/features.js';
export { rankCells, searchCells } from './viz/correlation.js';
export type { CellScore, RankOptions, FeatureSearch } from './viz/correlation.js';
export { gateSaturation, GATE_NAMES } from './viz/saturation.js';
export type { GateSaturation, SaturationOptions } from './viz/saturation.js';
export { heatmapColor, escapeHtml, heatmapFragment, heatmapHtml, heatmapLayout, heatmapSvg, HEATMAP_CSS } from './viz/heatmap.js';
export type { HeatmapOptions, HeatmapLayoutOptions, HeatmapLayout } from './viz/heatmap.js';
export { saturationSpec, saturationSvg, vegaLiteToSvg, svgToPng, pngSize } from './viz/render.js';
export type { SvgToPngOptions } from './viz/render.js';
export { lineChartSpec, lineChartSvg, writeLineChart, writeLineChartPanels } from './viz/line-chart.js';
export type { LineSeries, LineChartOptions } from './viz/line-chart.js';
export { vizReport, defaultFeatures } from './viz/report.js';
export type { VizReportOptions, VizReportResult } from './viz/report.js';
export { alignmentSvg } from './viz/alignment.js';
export type { Alignment } from './viz/alignment.js';
// Translation tasks (model-agnostic: strings and token ids)
export { dateTask } from './nmt/date-task.js';
export type { DateTask, DateTaskOptions, DatePair } from './nmt/date-task.js';
export { allDateFormats, renderDate, isoDate, formatName, MONTHS, WEEKDAYS } from './nmt/date-formats.js';
export type { DateFormat, DateOrder, DayStyle, MonthStyle, LetterCase, YearStyle, DateSeparator, WeekdayStyle } from './nmt/date-formats.js';
// Translation (English → Spanish): BLEU (Papineni et al. 2002, as NLTK's corpus_bleu)
export { corpusBleu, bleuByLength } from './nmt/bleu.js';
export type { CorpusBleu, CorpusBleuOptions, NgramPrecision, LengthBucket, BleuSentence } from './nmt/bleu.js';
export { trainSubwords, truncateBpe, Subwords, SUBWORD_SPECIALS } from './nmt/subwords.js';
export { translateAdapter, loadTranslator, charTranslateCodec, subwordTranslateCodec, MAX_TRANSLATE_BEAM } from './nmt/translate-adapter.js';
export type { TranslateCodec, TranslateAdapterOptions } from './nmt/translate-adapter.js';
export type { TrainSubwordsOptions, TokenizerJson } from './nmt/subwords.js';
export {
  BIBLE_BOOKS,
  BIBLE_MODULES,
  BIBLE_SPLIT_SEED,
  bookById,
  cleanVerseMarkup,
  parseDiatheke,
  ambiguousHeadingChapters,
  resolveHeadings,
  joinVerses,
  chooseHeldOutBooks,
  splitByBook,
} from './nmt/bible.js';
export type { BibleBook, Verse, ParsedBook, VersePair, JoinOptions, DroppedCounts, JoinResult, BibleSplit, SplitPairs } from './nmt/bible.js';

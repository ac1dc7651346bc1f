// Synthetic long-dependency tasks (Hochreiter & Schmidhuber 1997): adding problem, temporal order
export { addingProblemArrays, addingProblemBatch, temporalOrderArrays, temporalOrderBatch, TEMPORAL_ORDER_SYMBOLS, TEMPORAL_ORDER_CLASSES } from './tasks/long-dependency-tasks.js';
export type { TaskBatchOptions, TaskArrays } from './tasks/long-dependency-tasks.js';
// LSTM variant study (Greff et al. 2017; Jozefowicz et al. 2015): the zoo, the runner, the report, the command
export { STUDY_VARIANTS, countParams } from './study/variant-zoo.js';
export type { StudyVariant } from './study/variant-zoo.js';
export { runVariantStudy, studyConfig, STUDY_TASKS, METRIC } from './study/variant-study.js';
export type { StudyTask, VariantStudyOptions, VariantStudyConfig, StudyRun, StudyProgress, VariantStudyResult } from './study/variant-study.js';
export { studyDocument, checkStudyDocument, mergeStudyDocuments, taskViews, studyMarkdown, studyPlotSpec, writeStudyFiles, summarise, pairedDiffs, judgeClaim, machineDescription, PAPER_CLAIMS } from './study/study-report.js';
export type { StudyPart, StudyDocument, TaskView, Summary, Claim, ClaimVerdict } from './study/study-report.js';
export { registerStudy, runStudyVariants, studyOptions } from './study/study-command.js';
export type { StudyVariantsCliOptions } from './study/study-command.js';

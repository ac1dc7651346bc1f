/** What the app serves: cell models (with their io adapters) and session models (with the model they own). */
import type { Seq2SeqModel } from '@rxrnn/attention';
import type { HostedModel, HostedSessionModel } from '@rxrnn/ws';

/** A session model as the app hosts it: with its model, which the app frees at the end. */
export interface ServedSessionModel extends HostedSessionModel {
  model: Seq2SeqModel;
}
/** What the app serves. */
export type ServedModel = HostedModel | ServedSessionModel;

/** Whether a served model is a cell model (rather than a session model). */
export function isCellModel(m: ServedModel): m is HostedModel {
  return 'cell' in m;
}

/** Free a served model (its cell, or its session model's parameters). */
export function disposeServed(m: ServedModel): void {
  if ('cell' in m) m.cell.dispose();
  else m.model.dispose();
}

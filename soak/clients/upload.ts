/** The request bodies of uploads, shared by the clients that send them. */
import { bodyPieces } from '../pattern.js';
import type { Plan } from '../routes.js';

/**
 * uploadPieces yields `plan`'s upload piece by piece. For a plan that gives
 * up during its upload it stops once `afterBytes` are out: the client then
 * calls `giveUp()` instead of ending the body.
 */
export function* uploadPieces(plan: Plan): Generator<Buffer> {
  const stopAt = givesUpUpload(plan) ? plan.abort!.afterBytes : plan.length;
  let sent = 0;
  for (const piece of bodyPieces(plan.id, plan.length)) {
    if (sent >= stopAt) return;
    yield piece;
    sent += piece.length;
  }
}

/** givesUpUpload says whether `plan` abandons its request half-way through the upload. */
export function givesUpUpload(plan: Plan): boolean {
  return plan.abort?.during === 'upload';
}

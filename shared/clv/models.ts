import { InternalError } from '../errors.ts';
import { bgNbd } from './bg-nbd.ts';
import { mbgNbd } from './mbg-nbd.ts';
import { paretoNbd } from './pareto-nbd.ts';
import type { PurchaseModel, PurchaseModelName } from './purchase-model.ts';

/** Every purchase model the engine can fit, by name. */
export const PURCHASE_MODELS: Record<PurchaseModelName, PurchaseModel> = {
  bgnbd: bgNbd as unknown as PurchaseModel,
  mbgnbd: mbgNbd as unknown as PurchaseModel,
  paretoNbd: paretoNbd as unknown as PurchaseModel,
};

export const PURCHASE_MODEL_NAMES = Object.keys(PURCHASE_MODELS) as PurchaseModelName[];

export class UnknownModelError extends InternalError {
  override name = 'UnknownModelError';
}

/** Accepts the names users type (`bgnbd`, `pareto-nbd`, `paretoNbd`, `mbg-nbd`). */
export function purchaseModelNamed(name: string): PurchaseModel {
  const key = name.replace(/[-_/]/g, '').toLowerCase();
  const found = PURCHASE_MODEL_NAMES.find((n) => n.toLowerCase() === key);
  if (!found) throw new UnknownModelError(`unknown model "${name}"; use one of bgnbd, mbgnbd, pareto-nbd`);
  return PURCHASE_MODELS[found];
}

/** A store on the same table whose every DocumentClient request passes `intercept` first: it may throw (a fault) or wait. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../shared/store/store.ts';

type Send = DynamoDBDocumentClient['send'];
export type StoreCommand = Parameters<Send>[0];

export function interceptedStore(
  base: Store,
  intercept: (command: StoreCommand) => Promise<void> | void,
): Store {
  const doc = new Proxy(base.doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<Send>) => {
        await intercept(args[0]);
        return (target.send as (...a: typeof args) => unknown)(...args);
      };
    },
  });
  return { ...base, doc };
}

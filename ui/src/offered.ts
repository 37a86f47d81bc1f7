/**
 * Parts of the contract other servers may not offer yet (schedules, bulk jobs, JOBS.md):
 * asked once by introspection. Their operations are written against the contract's SDL
 * (../shared/contract/schema.graphql) in `src/contract/*.graphql`, untyped here because the served
 * schema the types are generated from may not have them.
 */
import { request } from './api';
import { QueryFieldsQuery } from './ops';

let fields: Promise<Set<string>> | null = null;

export function queryFields(): Promise<Set<string>> {
  fields ??= request(QueryFieldsQuery).then((data) => new Set((data.__type?.fields ?? []).map((field) => field.name)));
  fields.catch(() => {
    fields = null;
  });
  return fields;
}

/**
 * One named operation of a document from `src/contract/` (the whole document is sent, with
 * its fragments, and `operationName` picks the operation), with hand-written result types.
 */
export function contractOperation<R, V = Record<string, unknown>>(
  document: string,
  operationName: string,
): { toString(): string; operationName: string; __apiType?: (v: V) => R } {
  return { toString: () => document, operationName };
}

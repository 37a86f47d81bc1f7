/**
 * Parts of the contract other servers may not offer yet (schedules, bulk jobs, JOBS.md):
 * asked once by introspection. Their operations are written against the contract's SDL
 * (../shared/contract/schema.graphql), untyped here because the served schema the types
 * are generated from may not have them.
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

/** An operation from the contract's SDL, with hand-written result types. */
export function contractOperation<R, V = Record<string, unknown>>(text: string): { toString(): string; __apiType?: (v: V) => R } {
  return { toString: () => text };
}

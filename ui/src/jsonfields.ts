/** JSON typed into a dialog's fields (a signal's payload, a forced step's result). */

export interface JsonField {
  name: string;
  label: string;
  json?: boolean;
}

/** The first JSON field whose text does not parse, in words; null when all do (empty is null). */
export function jsonProblem(fields: JsonField[], values: Record<string, string>): string | null {
  for (const field of fields) {
    const text = values[field.name];
    if (!field.json || !text?.trim()) continue;
    try {
      JSON.parse(text);
    } catch (caught) {
      return `${field.label.replace(/ \(JSON\)$/, '')} is not valid JSON: ${(caught as Error).message}`;
    }
  }
  return null;
}

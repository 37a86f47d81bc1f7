/** Writing FILTER.md text: quoting, and the builder's chips turned into one expression. */

export function quote(value: string): string {
  return JSON.stringify(value);
}

export function compare(field: string, op: string, value: string | number | boolean): string {
  return `${field} ${op} ${typeof value === 'string' ? quote(value) : String(value)}`;
}

/** Adds a condition to a filter with AND, never replacing what is there. */
export function addCondition(filter: string, condition: string): string {
  const existing = filter.trim();
  if (!existing) return condition;
  if (existing.includes(condition)) return existing;
  const needsParens = /\bor\b/i.test(existing);
  return `${needsParens ? `(${existing})` : existing} and ${condition}`;
}

export interface BuilderChips {
  statuses: string[];
  workflow: string;
  tags: { key: string; value: string }[];
  /** '1h' | '24h' | '7d' | 'custom' | '' */
  range: string;
  customFrom?: string;
  customTo?: string;
}

const RANGE_MS: Record<string, number> = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3 };

/** The builder's chips as FILTER.md text; presets become absolute times at `now`. */
export function buildFilter(chips: BuilderChips, now: Date): string {
  const parts: string[] = [];
  if (chips.statuses.length === 1) parts.push(compare('status', 'eq', chips.statuses[0]));
  else if (chips.statuses.length > 1) {
    parts.push(`(${chips.statuses.map((status) => compare('status', 'eq', status)).join(' or ')})`);
  }
  if (chips.workflow) parts.push(compare('workflow_key', 'eq', chips.workflow));
  for (const tag of chips.tags) {
    if (tag.key) parts.push(compare(`tags.${tag.key}`, 'eq', tag.value));
  }
  if (chips.range in RANGE_MS) {
    parts.push(compare('created_at', 'ge', new Date(now.getTime() - RANGE_MS[chips.range]).toISOString()));
  } else if (chips.range === 'custom') {
    if (chips.customFrom) parts.push(compare('created_at', 'ge', new Date(chips.customFrom).toISOString()));
    if (chips.customTo) parts.push(compare('created_at', 'lt', new Date(chips.customTo).toISOString()));
  }
  return parts.join(' and ');
}

/**
 * The `key: value` lines a convoy keeps in its description (reference/convoy.md §2.3), so a
 * convoy bead read by upstream tools still shows its owner, notify address and merge strategy
 * (and its budget in dollars, as given at creation: domain/budget.ts).
 */
export interface ConvoyFields {
  owner?: string;
  notify?: string;
  merge?: string;
  budget?: string;
}

const KEYS: Array<[keyof ConvoyFields, string]> = [
  ['owner', 'Owner'],
  ['notify', 'Notify'],
  ['merge', 'Merge'],
  ['budget', 'Budget'],
];

export function parseConvoyFields(description: string): ConvoyFields {
  const fields: ConvoyFields = {};
  for (const line of description.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const known = KEYS.find(([k]) => k === key);
    if (known && value !== '') fields[known[0]] = value;
  }
  return fields;
}

/** Replaces the field lines of `description`, keeping its prose. */
export function writeConvoyFields(description: string, fields: ConvoyFields): string {
  const prose = description
    .split('\n')
    .filter((line) => !KEYS.some(([k]) => line.trim().toLowerCase().startsWith(`${k}:`)))
    .join('\n')
    .trim();
  const lines = KEYS.filter(([k]) => fields[k]).map(([k, label]) => `${label}: ${fields[k]}`);
  return [prose, ...lines].filter((l) => l !== '').join('\n');
}

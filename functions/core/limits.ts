/** The longest product name taken, in characters: one limit for CSV imports and the API (docs/api.md, docs/csv.md). */
export const MAX_NAME_LENGTH = 2000;

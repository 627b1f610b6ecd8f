/**
 * The classes a decision or a label may name, numbered as every list shows them: the inspector's review picker,
 * classify bars, insights legends and confusion matrices, and the CLI. Any class of the taxonomy may be named,
 * an inner one too: "Non-Food" with no subcategory is a Level-1-only decision (its class id is the inner
 * class's own, its lower levels are empty). No imports: the inspector's browser bundle uses it as it is.
 */

/** A class as the taxonomy lists it (TaxonomyClass, or a class of GET /v1/taxonomy). */
export interface ClassOfTaxonomy {
  id: string;
  label: string;
  isLeaf: boolean;
}

export interface ListedClass {
  /** From 1, in taxonomy order: the number a reviewer types to pick it. */
  number: number;
  id: string;
  /** The taxonomy's label ("Non-Food"), as stored and accepted by the API. */
  label: string;
  /** How lists name it: the label, with "(no subcategory)" after an inner class ("Non-Food (no subcategory)"). */
  name: string;
}

/** The numbered list, from the classes in taxonomy order (each class before its children, as Taxonomy.classes lists them). */
export function classList(classes: readonly ClassOfTaxonomy[]): ListedClass[] {
  return classes.map((c, i) => ({ number: i + 1, id: c.id, label: c.label, name: c.isLeaf ? c.label : `${c.label} (no subcategory)` }));
}

/** "10. Non-Food (no subcategory)": a listed class with its number, the same on every list. */
export const numbered = (c: ListedClass) => `${c.number}. ${c.name}`;

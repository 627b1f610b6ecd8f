import * as z from 'zod/mini';
import { readJsonFile, UserError } from './errors.ts';

/** A node of the taxonomy as written in taxonomy.json (any depth). */
export interface TaxonomyNodeInput {
  id: string;
  name: string;
  description: string;
  children?: TaxonomyNodeInput[];
}

const nodeSchema: z.ZodMiniType<TaxonomyNodeInput> = z.lazy(() =>
  z.object({
    id: z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lower-case slugs (a-z, 0-9, ".", "_", "-")')),
    name: z.string().check(z.trim(), z.minLength(1, 'name must not be empty')),
    description: z.string().check(z.trim(), z.minLength(1, 'description must not be empty')),
    children: z.optional(z.array(nodeSchema).check(z.minLength(1, 'children, when present, must list at least one class'))),
  }),
);

export const taxonomyFileSchema = z.object({
  name: z.string().check(z.minLength(1)),
  version: z.string().check(z.minLength(1, 'version must not be empty')),
  levels: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  classes: z.array(nodeSchema).check(z.minLength(1, 'a taxonomy needs at least one class')),
});

/** One class of the taxonomy with its place in the tree. */
export interface TaxonomyClass {
  id: string;
  name: string;
  description: string;
  /** Display names from the root to this class, e.g. ["Food", "Beverages"]. */
  path: string[];
  /** The path joined with " > ": the label used in labels.json, prompts and reports. */
  label: string;
  depth: number;
  parentId: string | null;
  isLeaf: boolean;
}

export class TaxonomyError extends UserError {}

export const PATH_SEPARATOR = ' > ';

export class Taxonomy {
  readonly name: string;
  readonly version: string;
  /** Column names for each level, level1..levelN. */
  readonly levels: string[];
  readonly classes: TaxonomyClass[];
  readonly leaves: TaxonomyClass[];
  private readonly byId = new Map<string, TaxonomyClass>();
  private readonly byLabel = new Map<string, TaxonomyClass>();

  constructor(readonly source: z.infer<typeof taxonomyFileSchema>) {
    this.name = source.name;
    this.version = source.version;
    const classes: TaxonomyClass[] = [];
    let maxDepth = 0;
    const walk = (nodes: TaxonomyNodeInput[], parent: TaxonomyClass | null, where: string) => {
      const siblingNames = new Set<string>();
      for (const node of nodes) {
        const key = node.name.toLowerCase();
        if (siblingNames.has(key)) throw new TaxonomyError(`${where}: two classes are named "${node.name}"`);
        siblingNames.add(key);
        if (this.byId.has(node.id)) throw new TaxonomyError(`class id "${node.id}" is used twice`);
        if (node.name.includes('>')) throw new TaxonomyError(`class "${node.id}": names may not contain ">"`);
        const path = parent ? [...parent.path, node.name] : [node.name];
        const cls: TaxonomyClass = {
          id: node.id,
          name: node.name,
          description: node.description,
          path,
          label: path.join(PATH_SEPARATOR),
          depth: path.length,
          parentId: parent?.id ?? null,
          isLeaf: !node.children,
        };
        maxDepth = Math.max(maxDepth, cls.depth);
        classes.push(cls);
        this.byId.set(cls.id, cls);
        this.byLabel.set(cls.label.toLowerCase(), cls);
        if (node.children) walk(node.children, cls, `under "${cls.label}"`);
      }
    };
    walk(source.classes, null, 'at the top level');
    this.classes = classes;
    this.leaves = classes.filter((c) => c.isLeaf);
    const levels = source.levels ?? Array.from({ length: maxDepth }, (_, i) => `level${i + 1}`);
    if (levels.length !== maxDepth) {
      throw new TaxonomyError(`"levels" names ${levels.length} levels but the classes are ${maxDepth} deep`);
    }
    this.levels = levels;
  }

  get(id: string): TaxonomyClass | undefined {
    return this.byId.get(id);
  }

  /** Finds a class by id or by its label ("Food > Beverages"), case-insensitively. */
  resolve(idOrLabel: string): TaxonomyClass | undefined {
    return this.byId.get(idOrLabel) ?? this.byLabel.get(idOrLabel.trim().toLowerCase());
  }

  /** Finds a class from per-level names, e.g. ("Food", "Beverages"); trailing empty levels are ignored. */
  fromLevels(names: (string | undefined | null)[]): TaxonomyClass | undefined {
    const parts = names.map((n) => (n ?? '').trim()).filter((n, i, all) => n !== '' || all.slice(i).some((x) => x));
    return parts.length ? this.byLabel.get(parts.join(PATH_SEPARATOR).toLowerCase()) : undefined;
  }

  /** Level names for a class id, padded with '' to the taxonomy's depth; all '' for null. */
  levelsOf(id: string | null): string[] {
    const path = id ? (this.byId.get(id)?.path ?? []) : [];
    return this.levels.map((_, i) => path[i] ?? '');
  }

  /** The class and its ancestors, root first. */
  lineage(id: string): TaxonomyClass[] {
    const out: TaxonomyClass[] = [];
    for (let c = this.byId.get(id); c; c = c.parentId ? this.byId.get(c.parentId) : undefined) out.unshift(c);
    return out;
  }
}

/** Validates parsed JSON as a taxonomy; throws TaxonomyError naming the first problem. */
export function parseTaxonomy(json: unknown, origin = 'taxonomy'): Taxonomy {
  const parsed = taxonomyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    throw new TaxonomyError(`${origin} is not a valid taxonomy: ${where}: ${issue.message}`);
  }
  try {
    return new Taxonomy(parsed.data);
  } catch (err) {
    if (err instanceof TaxonomyError) throw new TaxonomyError(`${origin} is not a valid taxonomy: ${err.message}`);
    throw err;
  }
}

export const DEFAULT_TAXONOMY_PATH = new URL('../../models/taxonomy.json', import.meta.url);

export function loadTaxonomy(file: string | URL = DEFAULT_TAXONOMY_PATH): Taxonomy {
  return parseTaxonomy(readJsonFile(file, 'taxonomy', TaxonomyError), String(file));
}

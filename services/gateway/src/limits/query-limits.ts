import {
  type ASTVisitor,
  type FieldNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

import type { FieldCost, FieldCosts } from './field-costs';

/** The codes of the errors these rules report (kept by the gateway's formatError). */
export const QUERY_TOO_DEEP = 'QUERY_TOO_DEEP';
export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

type Walk = (
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  seen: ReadonlySet<string>,
) => number;

/**
 * Walks an operation's selections, fragments expanded (a fragment already on the path counts as
 * nothing, so a cycle, which graphql's own rules reject, cannot loop). Introspection fields
 * (`__schema`, `__type`, `__typename`) are not counted, so that tools can read the schema.
 */
function walker(
  context: ValidationContext,
  visitField: (
    field: FieldNode,
    def: GraphQLField<unknown, unknown> | undefined,
    inner: (parent: GraphQLNamedType | undefined) => number,
  ) => number,
  combine: 'sum' | 'max',
): Walk {
  // A fragment's value is computed once: a fragment spread twice per level would otherwise be
  // walked 2^levels times (a "fragment bomb").
  const memo = new Map<string, number>();
  const walk: Walk = (selectionSet, parent, seen) => {
    let total = 0;
    const add = (n: number) => {
      total = combine === 'sum' ? total + n : Math.max(total, n);
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const def =
          parent && (isObjectType(parent) || isInterfaceType(parent))
            ? parent.getFields()[selection.name.value]
            : undefined;
        add(
          visitField(selection, def, (childParent) =>
            selection.selectionSet ? walk(selection.selectionSet, childParent, seen) : 0,
          ),
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? context.getSchema().getType(selection.typeCondition.name.value)
          : parent;
        add(walk(selection.selectionSet, type ?? undefined, seen));
      } else {
        const name = selection.name.value;
        const fragment = context.getFragment(name);
        if (!fragment || seen.has(name)) continue;
        if (!memo.has(name)) {
          const type = context.getSchema().getType(fragment.typeCondition.name.value);
          memo.set(name, walk(fragment.selectionSet, type ?? undefined, new Set([...seen, name])));
        }
        add(memo.get(name)!);
      }
    }
    return total;
  };
  return walk;
}

function rootType(context: ValidationContext, operation: string): GraphQLNamedType | undefined {
  const schema = context.getSchema();
  const type =
    operation === 'query'
      ? schema.getQueryType()
      : operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return type ?? undefined;
}

/** Refuses operations whose fields nest deeper than maxDepth (`{ edit { frames { id } } }` is 3 deep). */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const walk = walker(
      context,
      (_field, def, inner) => 1 + inner(def ? getNamedType(def.type) : undefined),
      'max',
    );
    return {
      OperationDefinition(node) {
        const depth = walk(node.selectionSet, rootType(context, node.operation), new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`the operation is ${depth} fields deep; at most ${maxDepth} are allowed`, {
              nodes: [node],
              extensions: { code: QUERY_TOO_DEEP, depth, maxDepth },
            }),
          );
        }
      },
    };
  };
}

export interface CostOptions {
  /** MAX_QUERY_COST: the largest estimated cost an operation may have. */
  maxCost: number;
  /** QUERY_COST_LIST_SIZE: elements assumed for a list that declares no size and has no `first`. */
  listSize: number;
  /** The cost of a root mutation field that declares none: a write costs more than a read. */
  mutationCost?: number;
  /** `@cost` / `@listSize` of the supergraph's fields, by `Type.field`. */
  costs?: FieldCosts;
}

/** The cost of a Mutation field that declares no @cost. */
export const DEFAULT_MUTATION_COST = 10;

/** Child fields of a `@listSize(sizedFields: ...)` field, which count once per element. */
interface Sized {
  fields: ReadonlySet<string>;
  size: number;
}

/**
 * Refuses operations whose estimated cost exceeds maxCost, before any subgraph is called. A field
 * costs its `@cost(weight)` (else 1, or mutationCost for a root mutation field) plus its
 * selections; every alias is a field of its own. The selections of a list count once per element
 * it may return: per `@listSize` (a slicing argument's literal value or default, else its
 * assumedSize; for a variable, the assumedSize), else the literal `first`, its default, or
 * listSize. A `@listSize(sizedFields)` field counts those fields once per element instead, and a
 * Relay connection without @listSize counts its own `first`, not again for its edges.
 */
export function costLimit(options: CostOptions): ValidationRule {
  const { maxCost } = options;
  return (context: ValidationContext): ASTVisitor => {
    const walk = costWalker(context, options);
    return {
      OperationDefinition(node) {
        const cost = walk(node.selectionSet, rootType(context, node.operation), new Set(), undefined);
        if (cost > maxCost) {
          context.reportError(
            new GraphQLError(`the operation's estimated cost is ${cost}; at most ${maxCost} is allowed`, {
              nodes: [node],
              extensions: { code: QUERY_TOO_COMPLEX, cost, maxCost },
            }),
          );
        }
      },
    };
  };
}

type CostWalk = (
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  seen: ReadonlySet<string>,
  sized: Sized | undefined,
) => number;

function costWalker(context: ValidationContext, options: CostOptions): CostWalk {
  const costs = options.costs ?? new Map<string, FieldCost>();
  const mutationType = context.getSchema().getMutationType();
  const fieldCost = (
    field: FieldNode,
    parent: GraphQLNamedType | undefined,
    seen: ReadonlySet<string>,
    sized: Sized | undefined,
  ): number => {
    const def =
      parent && (isObjectType(parent) || isInterfaceType(parent))
        ? parent.getFields()[field.name.value]
        : undefined;
    const declared = def && parent ? costs.get(`${parent.name}.${def.name}`) : undefined;
    const weight =
      declared?.weight ??
      (parent && parent === mutationType ? (options.mutationCost ?? DEFAULT_MUTATION_COST) : 1);
    const named = def ? getNamedType(def.type) : undefined;
    let multiplier = 1;
    let sizedChildren: Sized | undefined;
    if (sized?.fields.has(field.name.value)) {
      multiplier = sized.size;
    } else if (def && declared?.listSize) {
      const size = declaredSize(field, def, declared.listSize, options.listSize);
      if (declared.listSize.sizedFields?.length)
        sizedChildren = { fields: new Set(declared.listSize.sizedFields), size };
      else multiplier = size;
    } else if (def) {
      const list = isListType(getNullableType(def.type));
      // A Relay connection's size is its own `first`: its `edges` list does not multiply again.
      const edges = list && named?.name.endsWith('Edge');
      const connection = !list && isObjectType(named) && 'edges' in named.getFields();
      if ((list && !edges) || connection) multiplier = elements(field, def, options.listSize);
    }
    const inner = field.selectionSet ? walk(field.selectionSet, named, seen, sizedChildren) : 0;
    return weight + multiplier * inner;
  };
  // A fragment's cost is computed once per sizing: see walker().
  const memo = new Map<string, number>();
  const walk: CostWalk = (selectionSet, parent, seen, sized) => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        // Introspection fields count 1 each, lists not multiplied: a tool's schema query stays
        // cheap, while a document that repeats them (or __typename) thousands of times does not.
        // (Inside them too: a fragment on __Type names an introspection type.)
        const introspection = selection.name.value.startsWith('__') || !!parent?.name.startsWith('__');
        total += introspection
          ? fieldCost(selection, undefined, seen, undefined)
          : fieldCost(selection, parent, seen, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? context.getSchema().getType(selection.typeCondition.name.value)
          : parent;
        total += walk(selection.selectionSet, type ?? undefined, seen, sized);
      } else {
        const name = selection.name.value;
        const fragment = context.getFragment(name);
        if (!fragment || seen.has(name)) continue;
        const key = sized ? `${name} ${[...sized.fields].join(',')} ${sized.size}` : name;
        if (!memo.has(key)) {
          const type = context.getSchema().getType(fragment.typeCondition.name.value);
          memo.set(key, walk(fragment.selectionSet, type ?? undefined, new Set([...seen, name]), sized));
        }
        total += memo.get(key)!;
      }
    }
    return total;
  };
  return walk;
}

/** The elements a `@listSize` field may return. */
function declaredSize(
  field: FieldNode,
  def: GraphQLField<unknown, unknown>,
  listSize: NonNullable<FieldCost['listSize']>,
  fallback: number,
): number {
  const assumed = listSize.assumedSize ?? fallback;
  const sizes = (listSize.slicingArguments ?? []).flatMap((name) => {
    const given = field.arguments?.find((a) => a.name.value === name)?.value;
    if (given?.kind === Kind.INT) return [Number(given.value)];
    if (given) return [assumed]; // a variable: its value is not known while validating
    const declared = def.args.find((a) => a.name === name)?.defaultValue;
    return typeof declared === 'number' ? [declared] : [];
  });
  return Math.max(1, sizes.length ? Math.max(...sizes) : assumed);
}
function elements(field: FieldNode, def: GraphQLField<unknown, unknown>, listSize: number): number {
  const given = field.arguments?.find((a) => a.name.value === 'first');
  if (given?.value.kind === Kind.INT) return Math.max(1, Number(given.value.value));
  const declared = def.args.find((a) => a.name === 'first')?.defaultValue;
  return typeof declared === 'number' ? Math.max(1, declared) : listSize;
}

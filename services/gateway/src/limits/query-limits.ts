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
        const type = context.getSchema().getType(fragment.typeCondition.name.value);
        add(walk(fragment.selectionSet, type ?? undefined, new Set([...seen, name])));
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

/**
 * Refuses operations whose estimated cost exceeds maxCost. Each field costs 1 plus its
 * selections; the selections of a list field (or of a Relay connection) count once per element
 * it may return: the literal `first` argument when given, else the argument's default, else
 * `listSize`.
 */
export function costLimit(maxCost: number, listSize: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const walk = walker(
      context,
      (field, def, inner) => {
        const named = def ? getNamedType(def.type) : undefined;
        const child = inner(named);
        if (!def) return 1 + child;
        const list = isListType(getNullableType(def.type));
        // A Relay connection's size is its own `first`: its `edges` list does not multiply again.
        const edges = list && named?.name.endsWith('Edge');
        const connection = !list && isObjectType(named) && 'edges' in named.getFields();
        return 1 + child * ((list && !edges) || connection ? elements(field, def, listSize) : 1);
      },
      'sum',
    );
    return {
      OperationDefinition(node) {
        const cost = walk(node.selectionSet, rootType(context, node.operation), new Set());
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

function elements(field: FieldNode, def: GraphQLField<unknown, unknown>, listSize: number): number {
  const given = field.arguments?.find((a) => a.name.value === 'first');
  if (given?.value.kind === Kind.INT) return Math.max(1, Number(given.value.value));
  const declared = def.args.find((a) => a.name === 'first')?.defaultValue;
  return typeof declared === 'number' ? Math.max(1, declared) : listSize;
}

import {
  type ASTVisitor,
  GraphQLError,
  Kind,
  OperationTypeNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** The code of a mutation with too many fields, or too many of one kind (kept by formatError). */
export const TOO_MANY_MUTATIONS = 'TOO_MANY_MUTATIONS';

export interface MutationLimits {
  /** MAX_MUTATIONS_PER_REQUEST: root mutation fields one request may have, aliases each counting. */
  maxFields: number;
  /** MUTATION_FIELD_LIMITS: at most this many of a named root mutation field per request. */
  perField: ReadonlyMap<string, number>;
}

/** The root fields of a selection set by name, one per alias, fragments expanded. */
function countRootFields(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  counts: Map<string, number>,
  seen: ReadonlySet<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      counts.set(selection.name.value, (counts.get(selection.name.value) ?? 0) + 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      countRootFields(context, selection.selectionSet, counts, seen);
    } else {
      const fragment = context.getFragment(selection.name.value);
      if (!fragment || seen.has(selection.name.value)) continue;
      countRootFields(context, fragment.selectionSet, counts, new Set([...seen, selection.name.value]));
    }
  }
}

/**
 * Refuses, before anything runs, a mutation with more than maxFields root fields, or with more
 * of one field than perField allows (500 aliased createUpload calls in one request are one
 * request to the rate limiter but 500 writes): TOO_MANY_MUTATIONS with the field, count and max.
 */
export function mutationLimit(limits: MutationLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (node.operation !== OperationTypeNode.MUTATION) return;
      const counts = new Map<string, number>();
      countRootFields(context, node.selectionSet, counts, new Set());
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const refuse = (message: string, extensions: Record<string, unknown>) =>
        context.reportError(
          new GraphQLError(message, {
            nodes: [node],
            extensions: { code: TOO_MANY_MUTATIONS, ...extensions },
          }),
        );
      if (total > limits.maxFields) {
        refuse(`the mutation has ${total} fields; at most ${limits.maxFields} are allowed per request`, {
          count: total,
          max: limits.maxFields,
        });
        return;
      }
      for (const [field, count] of counts) {
        const max = limits.perField.get(field);
        if (max !== undefined && count > max)
          refuse(`the mutation calls ${field} ${count} times; at most ${max} per request`, {
            field,
            count,
            max,
          });
      }
    },
  });
}

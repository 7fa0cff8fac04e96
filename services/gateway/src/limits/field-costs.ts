import { type ConstDirectiveNode, type ConstValueNode, Kind, parse, type FieldDefinitionNode } from 'graphql';

/**
 * What a field declares about its cost in the subgraphs' SDL, with the IBM cost specification's
 * directives (federation 2.9, kept by composition in the supergraph):
 * `@cost(weight: 500)` and `@listSize(assumedSize, slicingArguments, sizedFields)`.
 */
export interface FieldCost {
  /** The field's own cost, instead of the default (1, or the mutation default on Mutation). */
  weight?: number;
  listSize?: {
    /** Elements assumed when no slicing argument gives the size. */
    assumedSize?: number;
    /** Arguments whose value is the size (`first`). */
    slicingArguments?: string[];
    /** Fields of the result that are the sized lists (a connection's `edges`); else the field itself. */
    sizedFields?: string[];
  };
}

/** Costs declared in the supergraph, by `Type.field`. */
export type FieldCosts = ReadonlyMap<string, FieldCost>;

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

const intOf = (value: ConstValueNode | undefined): number | undefined =>
  value?.kind === Kind.INT ? Number(value.value) : undefined;

const stringsOf = (value: ConstValueNode | undefined): string[] | undefined => {
  if (value?.kind === Kind.STRING) return [value.value];
  if (value?.kind !== Kind.LIST) return undefined;
  return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
};

function costOf(field: FieldDefinitionNode): FieldCost | undefined {
  const cost = field.directives?.find((d) => d.name.value === 'cost');
  const listSize = field.directives?.find((d) => d.name.value === 'listSize');
  if (!cost && !listSize) return undefined;
  return {
    weight: cost ? intOf(argument(cost, 'weight')) : undefined,
    listSize: listSize && {
      assumedSize: intOf(argument(listSize, 'assumedSize')),
      slicingArguments: stringsOf(argument(listSize, 'slicingArguments')),
      sizedFields: stringsOf(argument(listSize, 'sizedFields')),
    },
  };
}

/** Reads every field's `@cost` and `@listSize` from a supergraph's SDL. */
export function fieldCostsOf(supergraphSdl: string): FieldCosts {
  const costs = new Map<string, FieldCost>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    )
      continue;
    for (const field of definition.fields ?? []) {
      const cost = costOf(field);
      if (cost) costs.set(`${definition.name.value}.${field.name.value}`, cost);
    }
  }
  return costs;
}

import { EDIT_STATUSES, type EditStatus } from '@f2f/contracts';
import { assertStorableText, DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';

import { isUuid } from '../persistence/edits.repository';
import { type EditCursor, type EditListFilter } from '../persistence/edit-queries.sql';

export interface EditFilterInput {
  status?: string[] | null;
  model?: string | null;
  selectionPolicy?: string | null;
  createdAfter?: string | null;
  createdBefore?: string | null;
  captionContains?: string | null;
}

export const MAX_PAGE_SIZE = 100;

/** A validated page request of the listing: building one is validating it. */
export class ListEditsQuery {
  private constructor(
    readonly tenantId: TenantId,
    readonly first: number,
    readonly after: EditCursor | null,
    readonly filter: EditListFilter,
  ) {}

  static create(
    tenantId: TenantId,
    first: number | null | undefined,
    after: string | null | undefined,
    filter: EditFilterInput | null | undefined,
  ): ListEditsQuery {
    const size = first ?? 20;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw new DomainError(ErrorCode.InvalidInput, `first must be 1..${MAX_PAGE_SIZE}`);
    }
    return new ListEditsQuery(
      tenantId,
      size,
      after === null || after === undefined ? null : decodeCursor(after),
      validFilter(filter ?? {}),
    );
  }
}

function validFilter(input: EditFilterInput): EditListFilter {
  const filter: EditListFilter = {};
  if (input.status) {
    const unknown = input.status.filter((s) => !(EDIT_STATUSES as readonly string[]).includes(s));
    if (unknown.length > 0)
      throw new DomainError(ErrorCode.InvalidInput, `unknown status ${unknown.join(', ')}`);
    filter.status = [...new Set(input.status)] as EditStatus[];
  }
  if (input.model !== null && input.model !== undefined) {
    filter.model = boundedText('filter.model', input.model, 100);
  }
  if (input.selectionPolicy !== null && input.selectionPolicy !== undefined) {
    filter.selectionPolicy = boundedText('filter.selectionPolicy', input.selectionPolicy, 100);
  }
  if (input.captionContains !== null && input.captionContains !== undefined) {
    filter.captionContains = boundedText('filter.captionContains', input.captionContains, 200);
  }
  if (input.createdAfter !== null && input.createdAfter !== undefined) {
    filter.createdAfter = parseInstant('filter.createdAfter', input.createdAfter);
  }
  if (input.createdBefore !== null && input.createdBefore !== undefined) {
    filter.createdBefore = parseInstant('filter.createdBefore', input.createdBefore);
  }
  return filter;
}

function boundedText(name: string, value: string, max: number): string {
  assertStorableText(value, name);
  if (value.length < 1 || value.length > max || /\p{Cc}/u.test(value)) {
    throw new DomainError(
      ErrorCode.InvalidInput,
      `${name} must be 1..${max} characters without control characters`,
    );
  }
  return value;
}

/** An ISO 8601 datetime with a time zone (2026-11-29T10:00:00Z); a date alone is UTC midnight. */
export function parseInstant(name: string, value: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const date = new Date(value);
  if (!iso.test(value) || Number.isNaN(date.getTime())) {
    throw new DomainError(
      ErrorCode.InvalidInput,
      `${name} must be an ISO 8601 date or datetime with a time zone, e.g. 2026-11-29T10:00:00Z`,
    );
  }
  return date;
}

/** Opaque to clients: base64url of the last edge's createdAt (ms since the epoch) and id. */
export function encodeCursor(cursor: EditCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}:${cursor.id}`).toString('base64url');
}

export function decodeCursor(value: string): EditCursor {
  const invalid = () => new DomainError(ErrorCode.InvalidInput, 'after is not a cursor of this listing');
  if (value.length > 100 || !/^[A-Za-z0-9_-]+$/.test(value)) throw invalid();
  const match = /^(\d{1,15}):(.+)$/.exec(Buffer.from(value, 'base64url').toString());
  if (!match || !isUuid(match[2])) throw invalid();
  return { createdAt: new Date(Number(match[1])), id: match[2].toLowerCase() };
}

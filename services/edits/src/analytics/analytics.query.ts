import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';

import { parseInstant } from '../list-edits/list-edits.query';
import type { Window } from '../persistence/edit-queries.sql';

export const MAX_WINDOW_DAYS = 400;

/** A validated analytics request: the tenant's edits created in [from, to). */
export class AnalyticsQuery {
  private constructor(
    readonly tenantId: TenantId,
    readonly window: Window,
  ) {}

  static create(tenantId: TenantId, from: string, to: string): AnalyticsQuery {
    const window = { from: parseInstant('from', from), to: parseInstant('to', to) };
    if (window.to.getTime() <= window.from.getTime()) {
      throw new DomainError(ErrorCode.InvalidInput, 'to must be later than from');
    }
    if (window.to.getTime() - window.from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
      throw new DomainError(ErrorCode.InvalidInput, `the window is at most ${MAX_WINDOW_DAYS} days`);
    }
    return new AnalyticsQuery(tenantId, window);
  }
}

import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';

/** A validated selectFrame (a re-choice of the kept frame): one frame of the edit by id, or the source image. */
export class RechooseFrameCommand {
  private constructor(
    readonly tenantId: TenantId,
    readonly editId: string,
    /** null: keep the source image (no edit). */
    readonly frameId: string | null,
    /** Who chooses: the acting API key's id, null when the request carries none. */
    readonly actor: string | null,
  ) {}

  static create(
    tenantId: TenantId,
    input: { editId: string; frameId?: string | null; source?: boolean | null },
    actor: string | null,
  ): RechooseFrameCommand {
    const hasFrame = input.frameId !== null && input.frameId !== undefined;
    const source = input.source === true;
    if (hasFrame === source) {
      throw new DomainError(
        ErrorCode.InvalidInput,
        'give exactly one of frameId (a frame of the edit) and source: true (the source image)',
      );
    }
    if (input.source === false) {
      throw new DomainError(ErrorCode.InvalidInput, 'source, when given, must be true');
    }
    if (actor !== null && (actor.length < 1 || actor.length > 200)) {
      throw new DomainError(ErrorCode.InvalidInput, 'the actor id must be 1..200 characters');
    }
    return new RechooseFrameCommand(tenantId, input.editId, hasFrame ? input.frameId! : null, actor);
  }
}

import { randomUUID } from 'node:crypto';

import { assertStorableText, DomainError, ErrorCode, type Clock } from '@f2f/common';
import { EDIT_HISTORY_TYPES } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';

import { generateWebhookSecret } from '../signing/webhook-signature';
import type { SecretBox } from '../signing/secret-box';

import { type UrlPolicy, validateEndpointUrl } from './endpoint-url';
import {
  ALL_EVENTS,
  type WebhookEndpointPatch,
  type WebhookEndpointRow,
  type WebhookEndpointsRepository,
} from './webhook-endpoints.repository';

export interface EndpointRules extends UrlPolicy {
  maxEndpointsPerTenant: number;
  /** How long a rotated-out secret keeps signing beside the new one. */
  rotationGraceMs: number;
}

export interface EndpointInput {
  url?: string | null;
  events?: readonly string[] | null;
  description?: string | null;
  enabled?: boolean | null;
}

const MAX_DESCRIPTION = 500;
/** The event types an endpoint may ask for: every edit history type, or "*" for all. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = EDIT_HISTORY_TYPES;

const invalid = (message: string) => new DomainError(ErrorCode.InvalidInput, message);
const notFound = () => new DomainError(ErrorCode.NotFound, 'no webhook endpoint with this id');

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** The rules of a tenant's webhook endpoints (registration, changes, secrets). */
export class WebhookEndpointsService {
  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly secrets: SecretBox,
    private readonly rules: EndpointRules,
    private readonly clock: Clock,
  ) {}

  /** Registers an endpoint; the answer holds its signing secret, shown only now. */
  async create(
    tenantId: TenantId,
    input: EndpointInput,
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    if (!input.url) throw invalid('a webhook endpoint needs a url');
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const endpoint = await this.endpoints.createCapped(
      tenantId,
      {
        id,
        url: validateEndpointUrl(assertStorableText(input.url, 'the url'), this.rules),
        description: normaliseDescription(input.description),
        eventTypes: normaliseEvents(input.events),
        enabled: input.enabled ?? true,
        secretCiphertext: this.secrets.seal(secret, id),
      },
      this.rules.maxEndpointsPerTenant,
    );
    if (!endpoint)
      throw new DomainError(
        ErrorCode.Conflict,
        `a tenant has at most ${this.rules.maxEndpointsPerTenant} webhook endpoints; delete one first`,
      );
    return { endpoint, secret };
  }

  list(tenantId: TenantId): Promise<WebhookEndpointRow[]> {
    return this.endpoints.list(tenantId);
  }

  async get(tenantId: TenantId, id: string): Promise<WebhookEndpointRow | null> {
    return isUuid(id) ? this.endpoints.find(tenantId, id) : null;
  }

  async update(tenantId: TenantId, id: string, input: EndpointInput): Promise<WebhookEndpointRow> {
    const patch: WebhookEndpointPatch = {};
    if (input.url !== undefined && input.url !== null)
      patch.url = validateEndpointUrl(assertStorableText(input.url, 'the url'), this.rules);
    if (input.events !== undefined && input.events !== null) patch.eventTypes = normaliseEvents(input.events);
    if (input.description !== undefined) patch.description = normaliseDescription(input.description);
    if (input.enabled !== undefined && input.enabled !== null) patch.enabled = input.enabled;
    const row = isUuid(id) ? await this.endpoints.update(tenantId, id, patch) : null;
    if (!row) throw notFound();
    return row;
  }

  async delete(tenantId: TenantId, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.endpoints.delete(tenantId, id))) throw notFound();
  }

  /**
   * A new signing secret, shown only now. The old one keeps signing beside it (a second v1 in
   * the signature header) for the grace period, so receivers can switch without losing events.
   */
  async rotateSecret(
    tenantId: TenantId,
    id: string,
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string; previousSecretExpiresAt: Date | null }> {
    const current = await this.get(tenantId, id);
    if (!current) throw notFound();
    const secret = generateWebhookSecret();
    const grace = this.rules.rotationGraceMs;
    const previousSecretExpiresAt = grace > 0 ? new Date(this.clock.now().getTime() + grace) : null;
    const endpoint = await this.endpoints.setSecrets(tenantId, id, {
      current: this.secrets.seal(secret, id),
      previous: previousSecretExpiresAt ? current.secretCiphertext : null,
      previousExpiresAt: previousSecretExpiresAt,
    });
    if (!endpoint) throw notFound();
    return { endpoint, secret, previousSecretExpiresAt };
  }
}

function normaliseEvents(events: readonly string[] | null | undefined): string[] {
  if (!events || events.includes(ALL_EVENTS)) return [ALL_EVENTS];
  if (events.length === 0) throw invalid('an endpoint needs at least one event type, or "*" for all');
  const unknown = events.filter((e) => !WEBHOOK_EVENT_TYPES.includes(e));
  if (unknown.length)
    throw invalid(
      `unknown event type ${unknown.map((e) => JSON.stringify(e)).join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')} or "*"`,
    );
  return WEBHOOK_EVENT_TYPES.filter((t) => events.includes(t));
}

function normaliseDescription(description: string | null | undefined): string | null {
  const trimmed = description ? assertStorableText(description, 'a description').trim() : '';
  if (trimmed.length > MAX_DESCRIPTION)
    throw invalid(`a description is at most ${MAX_DESCRIPTION} characters`);
  return trimmed || null;
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { Client } from 'pg';

/**
 * A database of the shared schema at its last migration (libs/database/prisma/migrations, from
 * before each service owned its data), filled as the platform of that time left it: a tenant with
 * an API key, a completed edit with its frames, metrics, caption, VLM calls, selection and history,
 * a cancelled edit, an upload, a caption example, a webhook endpoint with a delivery and its
 * attempt, outbox and inbox rows. What the data-migration test checks after migrating.
 */
export interface LegacyFixture {
  tenantId: string;
  apiKey: string;
  apiKeyId: string;
  editId: string;
  cancelledEditId: string;
  frameIds: string[];
  endpointId: string;
  exampleId: string;
  /** Rows per shared table, as filled. */
  counts: Record<string, number>;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export async function fillLegacyDatabase(url: string): Promise<LegacyFixture> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const q = (sql: string, values: unknown[] = []) => client.query(sql, values);
  try {
    const tenantId = 'tenant-legacy';
    const prefix = randomBytes(6).toString('hex');
    const apiKey = `f2f_${prefix}_${randomBytes(32).toString('base64url')}`;
    const apiKeyId = randomUUID();
    const editId = randomUUID();
    const cancelledEditId = randomUUID();
    const frameIds = [randomUUID(), randomUUID(), randomUUID()];
    const endpointId = randomUUID();
    const exampleId = randomUUID();
    const deliveryId = randomUUID();
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 12, minutes)).toISOString();

    await q(`INSERT INTO tenants (id, name, created_at) VALUES ($1, 'Legacy Co', $2)`, [tenantId, at(0)]);
    await q(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, hash, scopes, created_at)
       VALUES ($1, $2, 'ops', $3, $4, '{read,write,admin}', $5)`,
      [apiKeyId, tenantId, prefix, sha(apiKey), at(0)],
    );
    const edit = `INSERT INTO edits (id, tenant_id, status, target_caption, temporal_caption, caption_provenance,
        source_key, source_width, source_height, source_bytes, source_sha256, source_mime, model, frame_count,
        steps, guidance, fps, seed, candidates, caption_mode, selection, progress_step, progress_total,
        frames_ready, selected_candidate, selected_frame_index, selection_policy, selection_reason,
        metrics_ready, history_seq, created_at, updated_at, completed_at)
      VALUES ($1, $2, $3::"EditStatus", 'A photo of a sitting dog.', $4, 'template', $5, 96, 64, 1234, $6,
        'image/png', 'preview', 3, 4, 6, 8, 7, 1, 'temporal', 'vlm', $7, 4, $8, $9, $10, $11, $12, $13, 4,
        $14, $14, $15)`;
    await q(edit, [
      editId,
      tenantId,
      'COMPLETED',
      'The dog sits down.',
      `tenants/${tenantId}/edits/${editId}/source.png`,
      sha('source'),
      4,
      3,
      0,
      2,
      'vlm',
      'frame 2 shows the dog sitting',
      true,
      at(1),
      at(5),
    ]);
    await q(edit, [
      cancelledEditId,
      tenantId,
      'CANCELLED',
      null,
      `tenants/${tenantId}/edits/${cancelledEditId}/source.png`,
      sha('source2'),
      0,
      0,
      null,
      null,
      null,
      null,
      false,
      at(2),
      null,
    ]);
    for (const [index, id] of frameIds.entries()) {
      await q(
        `INSERT INTO frames (id, tenant_id, edit_id, candidate, seed, index, blob_key, raw_blob_key, width, height,
           bytes, sha256, created_at) VALUES ($1, $2, $3, 0, 7, $4, $5, $6, 96, 64, 500, $7, $8)`,
        [
          id,
          tenantId,
          editId,
          index,
          `frames/${editId}/0/${index}.png`,
          `raw/${editId}/0/${index}.png`,
          sha(id),
          at(3),
        ],
      );
      await q(
        `INSERT INTO frame_metrics (frame_id, tenant_id, edit_id, frame_index, ssim, psnr, lpips, clip_i, clip_score,
           metric_models, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'clip-vit-b32+lpips-alex', $10)`,
        [
          id,
          tenantId,
          editId,
          index,
          1 - index * 0.1,
          40 - index,
          index * 0.1,
          1 - index * 0.05,
          0.2 + index * 0.03,
          at(4),
        ],
      );
    }
    await q(
      `INSERT INTO captions (edit_id, tenant_id, target_caption, text, provenance, vlm_model, prompt_version,
         attempts, example_set, created_at)
       VALUES ($1, $2, 'A photo of a sitting dog.', 'The dog sits down.', 'vlm', 'gpt-4o', 'b1', 1, 'paper', $3)`,
      [editId, tenantId, at(1)],
    );
    await q(
      `INSERT INTO caption_examples (id, tenant_id, target_caption, temporal_caption, created_at)
       VALUES ($1, $2, 'A red car.', 'The car turns red.', $3)`,
      [exampleId, tenantId, at(0)],
    );
    for (const [purpose, tokens] of [
      ['temporal-caption', 900],
      ['frame-selection', 1500],
    ] as const)
      await q(
        `INSERT INTO vlm_calls (tenant_id, edit_id, purpose, model, prompt_version, latency_ms, prompt_tokens,
           completion_tokens, outcome, answer, created_at) VALUES ($1, $2, $3, 'gpt-4o', 'v1', 800, $4, 40, 'ok', 'fine', $5)`,
        [tenantId, editId, purpose, tokens, at(purpose === 'temporal-caption' ? 1 : 4)],
      );
    await q(
      `INSERT INTO selections (edit_id, tenant_id, candidate, frame_index, frame_id, policy, reason, collage_keys,
         vlm_model, prompt_version, raw_answers, created_at)
       VALUES ($1, $2, 0, 2, $3, 'vlm', 'frame 2 shows the dog sitting', $4, 'gpt-4o', 'v1', '["2"]', $5)`,
      [
        editId,
        tenantId,
        frameIds[2],
        JSON.stringify([`tenants/${tenantId}/edits/${editId}/collages/0.png`]),
        at(4),
      ],
    );
    const history: [string, string, number][] = [
      ['edit.requested', 'edit.requested', 0],
      ['caption.completed', 'caption.completed', 1],
      ['video.generated', 'video.generated/0', 3],
      ['frame.selected', 'frame.selected', 4],
    ];
    for (const [seq, [type, key, minute]] of history.entries())
      await q(
        `INSERT INTO edit_events (tenant_id, edit_id, seq, event_id, type, key, payload, occurred_at, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
        [tenantId, editId, seq + 1, randomUUID(), type, key, JSON.stringify(legacyPayload(type)), at(minute)],
      );
    await q(
      `INSERT INTO uploads (id, tenant_id, purpose, content_type, max_bytes, status, blob_key, bytes, sha256, width,
         height, expires_at, uploaded_at, used_at, used_by_edit_id, created_at)
       VALUES ($1, $2, 'source', 'image/png', 2000, 'used', $3, 1234, $4, 96, 64, $5, $6, $6, $7, $6)`,
      [
        randomUUID(),
        tenantId,
        `tenants/${tenantId}/uploads/${editId}.png`,
        sha('source'),
        at(30),
        at(1),
        editId,
      ],
    );
    await q(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, secret_ciphertext, created_at, updated_at)
       VALUES ($1, $2, 'https://hooks.example.com/f2f', '{*}', 'v1:not-a-real-ciphertext', $3, $3)`,
      [endpointId, tenantId, at(0)],
    );
    await q(
      `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, edit_id, body, status,
         attempt_count, next_attempt_at, last_status_code, created_at, completed_at)
       VALUES ($1, $2, $3, $4, 'frame.selected', $5, '{}', 'SUCCEEDED', 1, $6, 200, $6, $6)`,
      [deliveryId, tenantId, endpointId, randomUUID(), editId, at(4)],
    );
    await q(
      `INSERT INTO webhook_attempts (tenant_id, delivery_id, attempt, started_at, status_code, latency_ms)
       VALUES ($1, $2, 1, $3, 200, 35)`,
      [tenantId, deliveryId, at(4)],
    );
    for (const producer of ['edits', 'captioning', 'video-generation', 'frame-selection', 'metrics'])
      await q(
        `INSERT INTO outbox_events (event_id, producer, topic, key, envelope, created_at, published_at)
         VALUES ($1, $2, 'f2f.edit.status', $3, '{}', $4, $4)`,
        [randomUUID(), producer, editId, at(4)],
      );
    for (const consumer of [
      'edits',
      'captioning',
      'video-generation',
      'frame-selection',
      'metrics',
      'webhooks',
    ])
      await q(`INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ($1, $2, $3)`, [
        consumer,
        randomUUID(),
        at(4),
      ]);
    const counts: Record<string, number> = {};
    const { rows } = await q(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    );
    for (const { tablename } of rows as { tablename: string }[])
      counts[tablename] = Number((await q(`SELECT count(*) AS n FROM public."${tablename}"`)).rows[0].n);
    return { tenantId, apiKey, apiKeyId, editId, cancelledEditId, frameIds, endpointId, exampleId, counts };
  } finally {
    await client.end();
  }
}

function legacyPayload(type: string): object {
  if (type === 'video.generated') return { computeSeconds: 12.5, candidates: [{ candidate: 0, seed: 7 }] };
  if (type === 'frame.selected') return { candidate: 0, frameIndex: 2, policy: 'vlm', reason: 'sitting' };
  return {};
}

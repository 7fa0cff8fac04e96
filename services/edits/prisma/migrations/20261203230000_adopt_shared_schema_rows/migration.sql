-- Adopts this service's rows of the shared schema (public, from before each service owned its
-- data; libs/database/prisma/migrations): copies them into this schema once, in this migration's
-- transaction. A database that never had the shared schema has nothing to adopt. libs/database's
-- migratePlatform grants this role read access to the shared tables for the adoption, then moves
-- them to the admin-only schema f2f_legacy (kept for inspection).
DO $$
BEGIN
  -- (A database built in public, such as Prisma's shadow database, has nothing to adopt either.)
  IF current_schema() = 'public'
     OR NOT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = 'edits') THEN
    RETURN;
  END IF;
  INSERT INTO "tenants" ("id", "name", "created_at")
    SELECT "id", "name", "created_at" FROM public."tenants";
  INSERT INTO "api_keys" ("id", "tenant_id", "name", "prefix", "hash", "scopes", "created_by_key_id", "created_at", "revoked_at")
    SELECT "id", "tenant_id", "name", "prefix", "hash", "scopes", "created_by_key_id", "created_at", "revoked_at" FROM public."api_keys";
  INSERT INTO "edits" ("id", "tenant_id", "status", "target_caption", "temporal_caption", "caption_provenance", "source_key", "source_width", "source_height", "source_bytes", "source_sha256", "source_mime", "ground_truth_key", "model", "frame_count", "steps", "guidance", "fps", "seed", "candidates", "caption_mode", "selection", "output_width", "output_height", "progress_step", "progress_total", "frames_ready", "selected_candidate", "selected_frame_index", "selection_policy", "selection_reason", "metrics_ready", "failure_code", "failure_reason", "original_candidate", "original_frame_index", "original_policy", "original_reason", "chosen_by", "chosen_at", "idempotency_key", "request_hash", "history_seq", "created_at", "updated_at", "completed_at")
    SELECT "id", "tenant_id", "status"::text::"EditStatus", "target_caption", "temporal_caption", "caption_provenance", "source_key", "source_width", "source_height", "source_bytes", "source_sha256", "source_mime", "ground_truth_key", "model", "frame_count", "steps", "guidance", "fps", "seed", "candidates", "caption_mode", "selection", "output_width", "output_height", "progress_step", "progress_total", "frames_ready", "selected_candidate", "selected_frame_index", "selection_policy", "selection_reason", "metrics_ready", "failure_code", "failure_reason", "original_candidate", "original_frame_index", "original_policy", "original_reason", "chosen_by", "chosen_at", "idempotency_key", "request_hash", "history_seq", "created_at", "updated_at", "completed_at" FROM public."edits";
  INSERT INTO "uploads" ("id", "tenant_id", "purpose", "content_type", "max_bytes", "status", "blob_key", "bytes", "sha256", "width", "height", "expires_at", "uploaded_at", "used_at", "used_by_edit_id", "created_at")
    SELECT "id", "tenant_id", "purpose", "content_type", "max_bytes", "status", "blob_key", "bytes", "sha256", "width", "height", "expires_at", "uploaded_at", "used_at", "used_by_edit_id", "created_at" FROM public."uploads";
  INSERT INTO "frames" ("id", "tenant_id", "edit_id", "candidate", "seed", "index", "blob_key", "raw_blob_key", "width", "height", "bytes", "sha256", "created_at")
    SELECT "id", "tenant_id", "edit_id", "candidate", "seed", "index", "blob_key", "raw_blob_key", "width", "height", "bytes", "sha256", "created_at" FROM public."frames";
  INSERT INTO "edit_frame_metrics" ("tenant_id", "edit_id", "candidate", "index", "ssim", "psnr", "lpips", "clip_i", "clip_score", "created_at")
    SELECT "tenant_id", "edit_id", (SELECT f.candidate FROM public.frames f WHERE f.id = frame_metrics.frame_id), frame_index, "ssim", "psnr", "lpips", "clip_i", "clip_score", "created_at" FROM public."frame_metrics"
    WHERE EXISTS (SELECT FROM public.frames f WHERE f.id = frame_metrics.frame_id);
  INSERT INTO "edit_events" ("id", "tenant_id", "edit_id", "seq", "event_id", "type", "key", "payload", "occurred_at", "recorded_at")
    SELECT "id", "tenant_id", "edit_id", "seq", "event_id", "type", "key", "payload", "occurred_at", "recorded_at" FROM public."edit_events";
  -- The VLM usage of each stage, on its history entry (caption.completed, frame.selected), as the
  -- stage events announce it from now on: the analytics of adopted edits stay what they were.
  UPDATE "edit_events" e SET "payload" = e."payload" || jsonb_build_object('usage', jsonb_build_object(
      'calls', u.calls, 'promptTokens', u.prompt, 'completionTokens', u.completion, 'latencyMs', u.latency,
      'model', u.model))
  FROM (
    SELECT v."edit_id", CASE v."purpose" WHEN 'temporal-caption' THEN 'caption.completed' ELSE 'frame.selected' END AS type,
      count(*)::int AS calls, sum(v."prompt_tokens")::int AS prompt, sum(v."completion_tokens")::int AS completion,
      sum(v."latency_ms")::int AS latency, max(v."model") AS model
    FROM public."vlm_calls" v WHERE v."purpose" IN ('temporal-caption', 'frame-selection')
    GROUP BY 1, 2
  ) u
  WHERE e."edit_id" = u."edit_id" AND e."type" = u.type AND e."key" = u.type AND NOT (e."payload" ? 'usage');
  PERFORM setval(pg_get_serial_sequence('"edit_events"', 'id'), GREATEST((SELECT max(id) FROM "edit_events"), 1));
  INSERT INTO "outbox_events" ("id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error")
    SELECT "id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error" FROM public."outbox_events"
    WHERE producer = 'edits';
  PERFORM setval(pg_get_serial_sequence('"outbox_events"', 'id'), GREATEST((SELECT max(id) FROM "outbox_events"), 1));
  INSERT INTO "processed_events" ("consumer", "event_id", "processed_at")
    SELECT "consumer", "event_id", "processed_at" FROM public."processed_events"
    WHERE consumer = 'edits';
END
$$;

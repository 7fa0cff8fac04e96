-- Adopts this service's rows of the shared schema (public, from before each service owned its
-- data; libs/database/prisma/migrations): copies them into this schema once, in this migration's
-- transaction. A database that never had the shared schema has nothing to adopt. libs/database's
-- migratePlatform grants this role read access to the shared tables for the adoption, then moves
-- them to the admin-only schema f2f_legacy (kept for inspection).
DO $$
BEGIN
  -- (A database built in public, such as Prisma's shadow database, has nothing to adopt either.)
  IF current_schema() = 'public'
     OR NOT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = 'selections') THEN
    RETURN;
  END IF;
  INSERT INTO "selections" ("edit_id", "tenant_id", "candidate", "frame_index", "frame_id", "policy", "reason", "collage_keys", "vlm_model", "prompt_version", "raw_answers", "fallback_reason", "created_at")
    SELECT "edit_id", "tenant_id", "candidate", "frame_index", "frame_id", "policy", "reason", "collage_keys", "vlm_model", "prompt_version", "raw_answers", "fallback_reason", "created_at" FROM public."selections";
  INSERT INTO "vlm_calls" ("id", "tenant_id", "edit_id", "purpose", "model", "prompt_version", "latency_ms", "prompt_tokens", "completion_tokens", "outcome", "answer", "error", "created_at")
    SELECT "id", "tenant_id", "edit_id", "purpose", "model", "prompt_version", "latency_ms", "prompt_tokens", "completion_tokens", "outcome", "answer", "error", "created_at" FROM public."vlm_calls"
    WHERE purpose <> 'temporal-caption';
  PERFORM setval(pg_get_serial_sequence('"vlm_calls"', 'id'), GREATEST((SELECT max(id) FROM "vlm_calls"), 1));
  INSERT INTO "outbox_events" ("id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error")
    SELECT "id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error" FROM public."outbox_events"
    WHERE producer = 'frame-selection';
  PERFORM setval(pg_get_serial_sequence('"outbox_events"', 'id'), GREATEST((SELECT max(id) FROM "outbox_events"), 1));
  INSERT INTO "processed_events" ("consumer", "event_id", "processed_at")
    SELECT "consumer", "event_id", "processed_at" FROM public."processed_events"
    WHERE consumer = 'frame-selection';
END
$$;

-- Adopts this service's rows of the shared schema (public, from before each service owned its
-- data; libs/database/prisma/migrations): copies them into this schema once, in this migration's
-- transaction. A database that never had the shared schema has nothing to adopt. libs/database's
-- migratePlatform grants this role read access to the shared tables for the adoption, then moves
-- them to the admin-only schema f2f_legacy (kept for inspection).
DO $$
BEGIN
  -- (A database built in public, such as Prisma's shadow database, has nothing to adopt either.)
  IF current_schema() = 'public'
     OR NOT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = 'frame_metrics') THEN
    RETURN;
  END IF;
  INSERT INTO "frame_metrics" ("frame_id", "tenant_id", "edit_id", "frame_index", "ssim", "psnr", "lpips", "clip_i", "clip_score", "target_lpips", "target_clip_i", "metric_models", "created_at")
    SELECT "frame_id", "tenant_id", "edit_id", "frame_index", "ssim", "psnr", "lpips", "clip_i", "clip_score", "target_lpips", "target_clip_i", "metric_models", "created_at" FROM public."frame_metrics";
  INSERT INTO "outbox_events" ("id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error")
    SELECT "id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error" FROM public."outbox_events"
    WHERE producer = 'metrics';
  PERFORM setval(pg_get_serial_sequence('"outbox_events"', 'id'), GREATEST((SELECT max(id) FROM "outbox_events"), 1));
  INSERT INTO "processed_events" ("consumer", "event_id", "processed_at")
    SELECT "consumer", "event_id", "processed_at" FROM public."processed_events"
    WHERE consumer = 'metrics';
END
$$;

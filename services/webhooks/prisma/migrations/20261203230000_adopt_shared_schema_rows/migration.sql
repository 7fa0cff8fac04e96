-- Adopts this service's rows of the shared schema (public, from before each service owned its
-- data; libs/database/prisma/migrations): copies them into this schema once, in this migration's
-- transaction. A database that never had the shared schema has nothing to adopt. libs/database's
-- migratePlatform grants this role read access to the shared tables for the adoption, then moves
-- them to the admin-only schema f2f_legacy (kept for inspection).
DO $$
BEGIN
  -- (A database built in public, such as Prisma's shadow database, has nothing to adopt either.)
  IF current_schema() = 'public'
     OR NOT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public' AND tablename = 'webhook_endpoints') THEN
    RETURN;
  END IF;
  INSERT INTO "webhook_endpoints" ("id", "tenant_id", "url", "description", "event_types", "enabled", "secret_ciphertext", "previous_secret_ciphertext", "previous_secret_expires_at", "created_at", "updated_at")
    SELECT "id", "tenant_id", "url", "description", "event_types", "enabled", "secret_ciphertext", "previous_secret_ciphertext", "previous_secret_expires_at", "created_at", "updated_at" FROM public."webhook_endpoints";
  INSERT INTO "webhook_deliveries" ("id", "tenant_id", "endpoint_id", "event_id", "event_type", "edit_id", "body", "status", "attempt_count", "round_start_attempt", "next_attempt_at", "claim_token", "last_status_code", "last_error", "created_at", "completed_at")
    SELECT "id", "tenant_id", "endpoint_id", "event_id", "event_type", "edit_id", "body", "status"::text::"WebhookDeliveryStatus", "attempt_count", "round_start_attempt", "next_attempt_at", "claim_token", "last_status_code", "last_error", "created_at", "completed_at" FROM public."webhook_deliveries";
  INSERT INTO "webhook_attempts" ("id", "tenant_id", "delivery_id", "attempt", "started_at", "status_code", "latency_ms", "error", "response_body")
    SELECT "id", "tenant_id", "delivery_id", "attempt", "started_at", "status_code", "latency_ms", "error", "response_body" FROM public."webhook_attempts";
  PERFORM setval(pg_get_serial_sequence('"webhook_attempts"', 'id'), GREATEST((SELECT max(id) FROM "webhook_attempts"), 1));
  INSERT INTO "outbox_events" ("id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error")
    SELECT "id", "event_id", "producer", "topic", "key", "envelope", "created_at", "published_at", "attempts", "last_error" FROM public."outbox_events"
    WHERE producer = 'webhooks';
  PERFORM setval(pg_get_serial_sequence('"outbox_events"', 'id'), GREATEST((SELECT max(id) FROM "outbox_events"), 1));
  INSERT INTO "processed_events" ("consumer", "event_id", "processed_at")
    SELECT "consumer", "event_id", "processed_at" FROM public."processed_events"
    WHERE consumer = 'webhooks';
END
$$;

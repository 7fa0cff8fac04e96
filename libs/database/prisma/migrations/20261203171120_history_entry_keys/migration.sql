-- AlterTable
ALTER TABLE "edit_events" ADD COLUMN     "key" TEXT;

-- Backfill: the first entry of each transition of an edit is keyed by its type (what the edits
-- service writes from now on), every other existing entry (progress, a user's re-choices, and the
-- duplicates this key exists to stop) by its type and event id, which is unique.
UPDATE "edit_events" e SET "key" = CASE
    WHEN e."type" NOT IN ('video.progress', 'edit.frame-rechosen')
      AND e."seq" = (SELECT min(f."seq") FROM "edit_events" f WHERE f."edit_id" = e."edit_id" AND f."type" = e."type")
    THEN e."type"
    ELSE e."type" || '/' || e."event_id"::text
  END;

ALTER TABLE "edit_events" ALTER COLUMN "key" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "edit_events_tenant_id_edit_id_key_key" ON "edit_events"("tenant_id", "edit_id", "key");

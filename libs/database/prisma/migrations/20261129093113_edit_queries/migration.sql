-- DropIndex
DROP INDEX "edits_tenant_id_created_at_idx";

-- DropIndex
DROP INDEX "edits_tenant_id_status_idx";

-- AlterTable
ALTER TABLE "edits" ADD COLUMN     "chosen_at" TIMESTAMPTZ(3),
ADD COLUMN     "chosen_by" TEXT,
ADD COLUMN     "idempotency_key" TEXT,
ADD COLUMN     "original_candidate" INTEGER,
ADD COLUMN     "original_frame_index" INTEGER,
ADD COLUMN     "original_policy" TEXT,
ADD COLUMN     "original_reason" TEXT,
ADD COLUMN     "request_hash" TEXT;

-- CreateIndex
CREATE INDEX "edit_events_tenant_id_type_occurred_at_idx" ON "edit_events"("tenant_id", "type", "occurred_at");

-- CreateIndex
CREATE INDEX "edits_tenant_id_created_at_id_idx" ON "edits"("tenant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "edits_tenant_id_status_created_at_id_idx" ON "edits"("tenant_id", "status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "edits_tenant_id_model_created_at_id_idx" ON "edits"("tenant_id", "model", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "edits_tenant_id_selection_policy_created_at_id_idx" ON "edits"("tenant_id", "selection_policy", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "edits_tenant_id_idempotency_key_key" ON "edits"("tenant_id", "idempotency_key");

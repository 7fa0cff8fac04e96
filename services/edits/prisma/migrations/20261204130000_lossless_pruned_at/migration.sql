-- AlterTable
ALTER TABLE "edits" ADD COLUMN     "lossless_pruned_at" TIMESTAMPTZ(3);

-- Edits final before this version had their lossless copies deleted when they finished.
UPDATE "edits" SET "lossless_pruned_at" = COALESCE("completed_at", "updated_at")
WHERE "status" IN ('COMPLETED', 'FAILED', 'CANCELLED');

-- CreateIndex
CREATE INDEX "edits_lossless_pruned_at_completed_at_idx" ON "edits"("lossless_pruned_at", "completed_at");

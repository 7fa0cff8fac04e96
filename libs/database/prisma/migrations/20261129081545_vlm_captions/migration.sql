-- AlterTable
ALTER TABLE "captions" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "fallback_reason" TEXT,
ADD COLUMN     "prompt_version" TEXT,
ADD COLUMN     "vlm_model" TEXT;

-- AlterTable
ALTER TABLE "edits" ADD COLUMN     "caption_mode" TEXT NOT NULL DEFAULT 'temporal';

-- CreateTable
CREATE TABLE "vlm_calls" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "edit_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_version" TEXT NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "outcome" TEXT NOT NULL,
    "answer" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vlm_calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "vlm_calls_tenant_id_created_at_idx" ON "vlm_calls"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "vlm_calls_edit_id_idx" ON "vlm_calls"("edit_id");

-- CreateEnum
CREATE TYPE "EditStatus" AS ENUM ('SUBMITTED', 'CAPTIONING', 'GENERATING', 'SELECTING', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "producer" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_events" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateTable
CREATE TABLE "tenants" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_by_key_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "edits" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "status" "EditStatus" NOT NULL DEFAULT 'SUBMITTED',
    "target_caption" TEXT NOT NULL,
    "temporal_caption" TEXT,
    "caption_provenance" TEXT,
    "source_key" TEXT NOT NULL,
    "source_width" INTEGER NOT NULL,
    "source_height" INTEGER NOT NULL,
    "source_bytes" INTEGER NOT NULL,
    "source_sha256" TEXT NOT NULL,
    "source_mime" TEXT NOT NULL,
    "ground_truth_key" TEXT,
    "model" TEXT NOT NULL,
    "frame_count" INTEGER NOT NULL,
    "steps" INTEGER NOT NULL,
    "guidance" DOUBLE PRECISION NOT NULL,
    "fps" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "candidates" INTEGER NOT NULL DEFAULT 1,
    "caption_mode" TEXT NOT NULL DEFAULT 'temporal',
    "selection" TEXT NOT NULL DEFAULT 'vlm',
    "output_width" INTEGER,
    "output_height" INTEGER,
    "progress_step" INTEGER NOT NULL DEFAULT 0,
    "progress_total" INTEGER NOT NULL DEFAULT 0,
    "frames_ready" INTEGER NOT NULL DEFAULT 0,
    "selected_candidate" INTEGER,
    "selected_frame_index" INTEGER,
    "selection_policy" TEXT,
    "selection_reason" TEXT,
    "metrics_ready" BOOLEAN NOT NULL DEFAULT false,
    "failure_code" TEXT,
    "failure_reason" TEXT,
    "original_candidate" INTEGER,
    "original_frame_index" INTEGER,
    "original_policy" TEXT,
    "original_reason" TEXT,
    "chosen_by" TEXT,
    "chosen_at" TIMESTAMPTZ(3),
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "history_seq" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "edits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "uploads" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "max_bytes" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "blob_key" TEXT,
    "bytes" INTEGER,
    "sha256" TEXT,
    "width" INTEGER,
    "height" INTEGER,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "uploaded_at" TIMESTAMPTZ(3),
    "used_at" TIMESTAMPTZ(3),
    "used_by_edit_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "uploads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "frames" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "edit_id" UUID NOT NULL,
    "candidate" INTEGER NOT NULL DEFAULT 0,
    "seed" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "blob_key" TEXT NOT NULL,
    "raw_blob_key" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "frames_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "edit_frame_metrics" (
    "tenant_id" TEXT NOT NULL,
    "edit_id" UUID NOT NULL,
    "candidate" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "ssim" DOUBLE PRECISION NOT NULL,
    "psnr" DOUBLE PRECISION NOT NULL,
    "lpips" DOUBLE PRECISION,
    "clip_i" DOUBLE PRECISION,
    "clip_score" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "edit_frame_metrics_pkey" PRIMARY KEY ("edit_id","candidate","index")
);

-- CreateTable
CREATE TABLE "edit_events" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "edit_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "edit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_producer_published_at_id_idx" ON "outbox_events"("producer", "published_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "api_keys_tenant_id_created_at_idx" ON "api_keys"("tenant_id", "created_at");

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

-- CreateIndex
CREATE INDEX "uploads_tenant_id_created_at_idx" ON "uploads"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "uploads_expires_at_idx" ON "uploads"("expires_at");

-- CreateIndex
CREATE INDEX "frames_tenant_id_edit_id_idx" ON "frames"("tenant_id", "edit_id");

-- CreateIndex
CREATE UNIQUE INDEX "frames_edit_id_candidate_index_key" ON "frames"("edit_id", "candidate", "index");

-- CreateIndex
CREATE INDEX "edit_frame_metrics_tenant_id_edit_id_idx" ON "edit_frame_metrics"("tenant_id", "edit_id");

-- CreateIndex
CREATE UNIQUE INDEX "edit_events_event_id_key" ON "edit_events"("event_id");

-- CreateIndex
CREATE INDEX "edit_events_tenant_id_edit_id_idx" ON "edit_events"("tenant_id", "edit_id");

-- CreateIndex
CREATE INDEX "edit_events_tenant_id_type_occurred_at_idx" ON "edit_events"("tenant_id", "type", "occurred_at");

-- CreateIndex
CREATE INDEX "edit_events_tenant_id_recorded_at_id_idx" ON "edit_events"("tenant_id", "recorded_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "edit_events_edit_id_seq_key" ON "edit_events"("edit_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "edit_events_tenant_id_edit_id_key_key" ON "edit_events"("tenant_id", "edit_id", "key");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "edits" ADD CONSTRAINT "edits_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "frames" ADD CONSTRAINT "frames_edit_id_fkey" FOREIGN KEY ("edit_id") REFERENCES "edits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "edit_frame_metrics" ADD CONSTRAINT "edit_frame_metrics_edit_id_fkey" FOREIGN KEY ("edit_id") REFERENCES "edits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "edit_events" ADD CONSTRAINT "edit_events_edit_id_fkey" FOREIGN KEY ("edit_id") REFERENCES "edits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

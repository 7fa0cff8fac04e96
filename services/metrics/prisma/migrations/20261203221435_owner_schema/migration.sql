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
CREATE TABLE "frame_metrics" (
    "frame_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "edit_id" UUID NOT NULL,
    "frame_index" INTEGER NOT NULL,
    "ssim" DOUBLE PRECISION NOT NULL,
    "psnr" DOUBLE PRECISION NOT NULL,
    "lpips" DOUBLE PRECISION,
    "clip_i" DOUBLE PRECISION,
    "clip_score" DOUBLE PRECISION,
    "target_lpips" DOUBLE PRECISION,
    "target_clip_i" DOUBLE PRECISION,
    "metric_models" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "frame_metrics_pkey" PRIMARY KEY ("frame_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_producer_published_at_id_idx" ON "outbox_events"("producer", "published_at", "id");

-- CreateIndex
CREATE INDEX "frame_metrics_tenant_id_edit_id_idx" ON "frame_metrics"("tenant_id", "edit_id");

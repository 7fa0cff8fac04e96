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
CREATE TABLE "captions" (
    "edit_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "target_caption" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "provenance" TEXT NOT NULL,
    "vlm_model" TEXT,
    "prompt_version" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "fallback_reason" TEXT,
    "example_set" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "captions_pkey" PRIMARY KEY ("edit_id")
);

-- CreateTable
CREATE TABLE "caption_examples" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "target_caption" TEXT NOT NULL,
    "temporal_caption" TEXT NOT NULL,
    "image_key" TEXT,
    "image_mime" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "caption_examples_pkey" PRIMARY KEY ("id")
);

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
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_producer_published_at_id_idx" ON "outbox_events"("producer", "published_at", "id");

-- CreateIndex
CREATE INDEX "captions_tenant_id_idx" ON "captions"("tenant_id");

-- CreateIndex
CREATE INDEX "caption_examples_tenant_id_created_at_idx" ON "caption_examples"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "vlm_calls_tenant_id_created_at_idx" ON "vlm_calls"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "vlm_calls_edit_id_idx" ON "vlm_calls"("edit_id");

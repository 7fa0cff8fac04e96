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

-- CreateIndex
CREATE INDEX "edit_frame_metrics_tenant_id_edit_id_idx" ON "edit_frame_metrics"("tenant_id", "edit_id");

-- AddForeignKey
ALTER TABLE "edit_frame_metrics" ADD CONSTRAINT "edit_frame_metrics_edit_id_fkey" FOREIGN KEY ("edit_id") REFERENCES "edits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill the edits service's read model from what the metrics and VLM callers recorded so far,
-- so that the analytics of existing edits stay what they were.
INSERT INTO "edit_frame_metrics" ("tenant_id", "edit_id", "candidate", "index", "ssim", "psnr", "lpips", "clip_i", "clip_score", "created_at")
SELECT f."tenant_id", f."edit_id", f."candidate", f."index", m."ssim", m."psnr", m."lpips", m."clip_i", m."clip_score", m."created_at"
FROM "frame_metrics" m JOIN "frames" f ON f."id" = m."frame_id"
ON CONFLICT DO NOTHING;

-- The VLM usage of each stage, on the history entry of the stage (caption.completed, frame.selected),
-- as the stage events announce it from now on.
UPDATE "edit_events" e SET "payload" = e."payload" || jsonb_build_object('usage', jsonb_build_object(
    'calls', u.calls, 'promptTokens', u.prompt, 'completionTokens', u.completion, 'latencyMs', u.latency, 'model', u.model))
FROM (
  SELECT v."edit_id", CASE v."purpose" WHEN 'temporal-caption' THEN 'caption.completed' ELSE 'frame.selected' END AS type,
    count(*)::int AS calls, sum(v."prompt_tokens")::int AS prompt, sum(v."completion_tokens")::int AS completion,
    sum(v."latency_ms")::int AS latency, max(v."model") AS model
  FROM "vlm_calls" v WHERE v."purpose" IN ('temporal-caption', 'frame-selection')
  GROUP BY 1, 2
) u
WHERE e."edit_id" = u."edit_id" AND e."type" = u.type AND e."key" = u.type AND NOT (e."payload" ? 'usage');

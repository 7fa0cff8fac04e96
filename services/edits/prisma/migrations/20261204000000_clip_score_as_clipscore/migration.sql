-- The read model of metrics.computed follows the metrics service: clip_score is CLIPScore
-- (2.5 · max(cos, 0)) and the raw image–text cosine is clip_cosine.
ALTER TABLE "edit_frame_metrics" ADD COLUMN "clip_cosine" DOUBLE PRECISION;
UPDATE "edit_frame_metrics" SET "clip_cosine" = "clip_score", "clip_score" = 2.5 * GREATEST("clip_score", 0)
  WHERE "clip_score" IS NOT NULL;

-- CLIP score becomes CLIPScore (Hessel et al. 2021: 2.5 · max(cos, 0)), the scale of the paper's
-- CLIP column; the raw image–text cosine, which clip_score held until now, is kept in clip_cosine.
ALTER TABLE "frame_metrics" ADD COLUMN "clip_cosine" DOUBLE PRECISION;
UPDATE "frame_metrics" SET "clip_cosine" = "clip_score", "clip_score" = 2.5 * GREATEST("clip_score", 0)
  WHERE "clip_score" IS NOT NULL;

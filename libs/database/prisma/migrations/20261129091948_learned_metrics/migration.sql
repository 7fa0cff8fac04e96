-- AlterTable
ALTER TABLE "frame_metrics" ADD COLUMN     "clip_i" DOUBLE PRECISION,
ADD COLUMN     "clip_score" DOUBLE PRECISION,
ADD COLUMN     "lpips" DOUBLE PRECISION,
ADD COLUMN     "metric_models" TEXT,
ADD COLUMN     "target_clip_i" DOUBLE PRECISION,
ADD COLUMN     "target_lpips" DOUBLE PRECISION;

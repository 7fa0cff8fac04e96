-- AlterTable
ALTER TABLE "edits" ADD COLUMN     "selection" TEXT NOT NULL DEFAULT 'vlm';

-- AlterTable
ALTER TABLE "selections" ADD COLUMN     "collage_keys" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "fallback_reason" TEXT,
ADD COLUMN     "prompt_version" TEXT,
ADD COLUMN     "raw_answers" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "vlm_model" TEXT,
ALTER COLUMN "candidate" DROP NOT NULL,
ALTER COLUMN "candidate" DROP DEFAULT,
ALTER COLUMN "frame_index" DROP NOT NULL,
ALTER COLUMN "frame_id" DROP NOT NULL;

-- DropForeignKey
ALTER TABLE "frame_metrics" DROP CONSTRAINT "frame_metrics_frame_id_fkey";

-- CreateTable
CREATE TABLE "cancelled_edits" (
    "edit_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cancelled_edits_pkey" PRIMARY KEY ("edit_id")
);

-- video-generation learned of cancellations by reading edits, it now keeps its own list: carry over
-- the edits cancelled so far.
INSERT INTO "cancelled_edits" ("edit_id", "tenant_id", "cancelled_at")
SELECT "id", "tenant_id", "updated_at" FROM "edits" WHERE "status" = 'CANCELLED'
ON CONFLICT DO NOTHING;

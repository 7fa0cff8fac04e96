-- AlterTable
ALTER TABLE "captions" ADD COLUMN     "example_set" TEXT;

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

-- CreateIndex
CREATE INDEX "caption_examples_tenant_id_created_at_idx" ON "caption_examples"("tenant_id", "created_at");

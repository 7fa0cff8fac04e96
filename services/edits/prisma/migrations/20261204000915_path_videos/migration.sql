-- CreateTable
CREATE TABLE "path_videos" (
    "tenant_id" TEXT NOT NULL,
    "edit_id" UUID NOT NULL,
    "candidate" INTEGER NOT NULL,
    "blob_key" TEXT NOT NULL,
    "frame_count" INTEGER NOT NULL,
    "fps" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "path_videos_pkey" PRIMARY KEY ("edit_id","candidate")
);

-- CreateIndex
CREATE INDEX "path_videos_tenant_id_edit_id_idx" ON "path_videos"("tenant_id", "edit_id");

-- AddForeignKey
ALTER TABLE "path_videos" ADD CONSTRAINT "path_videos_edit_id_fkey" FOREIGN KEY ("edit_id") REFERENCES "edits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

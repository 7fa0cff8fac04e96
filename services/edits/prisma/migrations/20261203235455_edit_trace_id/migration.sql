-- AlterTable
ALTER TABLE "edits" ADD COLUMN     "trace_id" TEXT;

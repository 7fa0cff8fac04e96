-- AlterTable
ALTER TABLE "edits" ADD COLUMN     "ground_truth_key" TEXT;

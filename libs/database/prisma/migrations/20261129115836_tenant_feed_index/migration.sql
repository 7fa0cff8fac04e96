-- CreateIndex
CREATE INDEX "edit_events_tenant_id_recorded_at_id_idx" ON "edit_events"("tenant_id", "recorded_at", "id");

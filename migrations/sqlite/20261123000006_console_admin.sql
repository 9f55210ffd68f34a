-- The audit log page filters by actor (newest first); customer and action have their indexes.
create index audit_log_actor on audit_log (tenant_id, actor_label, at);

-- Search by order number ("#1001") from any provider: the support agent's first question.
create index orders_by_number on orders (tenant_id, external_id);

-- Typo-tolerant name search: each active profile's name under its search keys (word prefixes,
-- Double Metaphone codes, canonical given name; see spine_engine::search). Candidates come
-- from this index, never from a scan of the tenant's profiles; the keys are written with the
-- name by the store and backfilled at start-up for profiles that have none.
create table customer_name_keys (
    tenant_id blob not null,
    key text not null,
    customer_id blob not null,
    primary key (tenant_id, key, customer_id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create index customer_name_keys_by_customer on customer_name_keys (tenant_id, customer_id);

-- Name search keys gained edit keys (each short word, and the word less each of its letters;
-- see spine_engine::search), which about doubles the rows. The table is rebuilt without a rowid,
-- so its primary key is the table itself and each key is stored twice (key order and customer
-- order), not three times. Left empty, it is refilled with the new keys by the start-up
-- backfill (run after migrations).
drop table customer_name_keys;
create table customer_name_keys (
    tenant_id blob not null,
    key text not null,
    customer_id blob not null,
    primary key (tenant_id, key, customer_id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
) without rowid;
create index customer_name_keys_by_customer on customer_name_keys (tenant_id, customer_id);

-- The profiles each open review item names (its subject and its candidates), as rows, so "waiting
-- in review" is an index lookup per profile instead of unpacking every item's JSON. Written with
-- the item, removed when it is decided (a deferred item stays open).
create table review_members (
    tenant_id blob not null,
    customer_id blob not null,
    item_id blob not null,
    primary key (tenant_id, customer_id, item_id)
);
create index review_members_item on review_members (tenant_id, item_id);
insert or ignore into review_members (tenant_id, customer_id, item_id)
    select tenant_id, subject_customer_id, id from review_items where status in ('pending', 'deferred');
insert or ignore into review_members (tenant_id, customer_id, item_id)
    select r.tenant_id, unhex(replace(j.value, '-', '')), r.id from review_items r, json_each(r.candidate_ids) j
    where r.status in ('pending', 'deferred');

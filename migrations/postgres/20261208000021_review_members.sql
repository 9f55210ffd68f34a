-- The profiles each open review item names (its subject and its candidates), as rows, so "waiting
-- in review" is an index lookup per profile instead of unpacking every item's JSON. Written with
-- the item, removed when it is decided (a deferred item stays open).
create table review_members (
    tenant_id uuid not null,
    customer_id uuid not null,
    item_id uuid not null,
    primary key (tenant_id, customer_id, item_id)
);
create index review_members_item on review_members (tenant_id, item_id);
insert into review_members (tenant_id, customer_id, item_id)
    select tenant_id, subject_customer_id, id from review_items where status in ('pending', 'deferred')
    on conflict do nothing;
insert into review_members (tenant_id, customer_id, item_id)
    select r.tenant_id, (j.value)::uuid, r.id from review_items r, jsonb_array_elements_text(r.candidate_ids) j(value)
    where r.status in ('pending', 'deferred')
    on conflict do nothing;

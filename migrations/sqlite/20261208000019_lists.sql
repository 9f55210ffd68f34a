-- Customer lists: each filter a list offers is answered through an index.

-- Tags and sources, one row per value, so "tagged vip" or "from shopify" is an index range and
-- not a scan of every profile's JSON. The profile's own columns stay the record; these rows are
-- written with them.
create table customer_labels (
    tenant_id blob not null,
    kind text not null check (kind in ('tag', 'source')),
    value text not null,
    customer_id blob not null,
    primary key (tenant_id, kind, value, customer_id)
);
create index customer_labels_of on customer_labels (tenant_id, customer_id);
insert or ignore into customer_labels (tenant_id, kind, value, customer_id)
    select c.tenant_id, 'tag', j.value, c.id from customers c, json_each(c.tags) j
    where c.erased_at is null;
insert or ignore into customer_labels (tenant_id, kind, value, customer_id)
    select c.tenant_id, 'source', j.value, c.id from customers c, json_each(c.sources) j
    where c.erased_at is null;

-- "Has used WhatsApp": the channels each profile has used, by channel.
create index customer_channels_by_channel on customer_channels (tenant_id, channel, customer_id);
-- "Has an open conversation".
create index threads_open on threads (tenant_id, customer_id)
    where status <> 'resolved' and archived_at is null;
-- Stage, campaign, and the three orders a list is read in (each ends in the id, the tiebreak a
-- page continues after).
create index customers_stage on customers (tenant_id, lifecycle_stage, last_seen_at, id);
create index customers_campaign on customers (tenant_id, source_campaign);
create index customers_activity on customers (tenant_id, last_seen_at, id);
create index customers_created_order on customers (tenant_id, created_at, id);
-- Their prefixes, which these replace.
drop index customers_last_seen;
drop index customers_created;
create index customers_name_order on customers
    (tenant_id, (display_name is null), lower(coalesce(display_name, '')), id);

-- Lists a person keeps: their own (owner_id set) or the whole team's (owner_id null).
create table saved_views (
    tenant_id blob not null,
    id blob not null,
    owner_id blob,
    name text not null,
    query text not null,
    created_by text not null,
    created_at text not null,
    primary key (tenant_id, id)
);
create index saved_views_owner on saved_views (tenant_id, owner_id);

-- A list export's CSV, in parts written as the job runs, read back in order when downloaded.
create table export_parts (
    tenant_id blob not null,
    job_id blob not null,
    part bigint not null,
    body text not null,
    primary key (tenant_id, job_id, part)
);

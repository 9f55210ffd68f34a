-- Memory settings, archival and learned vocabulary (PostgreSQL; kept in lockstep with
-- migrations/sqlite).

-- How long a thread can be continued, how long after its last message a resolved thread is
-- reopened by a message naming one of its orders or bookings, and after how many days a
-- resolved thread is archived.
alter table tenants add column thread_window_hours integer not null default 72;
alter table tenants add column thread_reopen_hours integer not null default 24;
alter table tenants add column archive_after_days integer not null default 90;

-- An archived thread's messages keep their place on the timeline; their text (body and
-- payload) moves to the thread's transcript, read on demand.
alter table interactions add column archived boolean not null default false;
create table thread_transcripts (
    tenant_id uuid not null,
    thread_id uuid not null,
    -- [{"id", "body", "payload"}], one per message, in the order they were said.
    messages jsonb not null,
    archived_at timestamptz not null,
    primary key (tenant_id, thread_id)
);
create index threads_archivable on threads (tenant_id, resolved_at)
    where status = 'resolved' and archived_at is null;
-- A profile's live threads and its archived ones, newest first, each read without passing over
-- the other kind (a long history is mostly archived).
create index threads_live on threads (tenant_id, customer_id, last_message_at, id)
    where archived_at is null;
create index threads_archived on threads (tenant_id, customer_id, last_message_at, id)
    where archived_at is not null;

-- Each profile's rolling summary across its threads (JSON), updated with every message.
create table customer_memory (
    tenant_id uuid not null,
    customer_id uuid not null,
    summary text not null,
    updated_at timestamptz not null,
    primary key (tenant_id, customer_id)
);

-- The tenant's vocabulary (products ordered, topics raised) is read from daily counters.
create index daily_stats_metric on daily_stats (tenant_id, metric, dim1);
insert into daily_stats (tenant_id, day, metric, dim1, dim2, n, total)
select o.tenant_id, to_char(o.placed_at at time zone 'UTC', 'YYYY-MM-DD'), 'product_ordered',
       lower(trim(item ->> 'name')), '', count(*), 0
from orders o, jsonb_array_elements(o.items) item
where jsonb_typeof(o.items) = 'array' and trim(coalesce(item ->> 'name', '')) <> ''
group by 1, 2, 4;

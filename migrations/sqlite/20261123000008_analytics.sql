-- Analytics (SQLite; kept in lockstep with migrations/postgres). Time series read a daily rollup
-- written in the same transaction as the facts, so a chart never scans interactions; current-state
-- charts read a stored snapshot. Both are backfilled here from the rows that exist.

-- Counters per tenant, UTC day ('YYYY-MM-DD'), metric and up to two dimensions:
-- interactions (channel, direction), sentiment (channel; n rated, total = sum of scores),
-- resolution (created | linked | review, and for links the match method).
create table daily_stats (
    tenant_id blob not null,
    day text not null,
    metric text not null,
    dim1 text not null default '',
    dim2 text not null default '',
    n bigint not null,
    total real not null default 0,
    primary key (tenant_id, day, metric, dim1, dim2)
);

-- The channels each profile has used: when first and last, and how often. Staff notes are not
-- a channel the customer used.
create table customer_channels (
    tenant_id blob not null,
    customer_id blob not null,
    channel text not null,
    first_at text not null,
    last_at text not null,
    n bigint not null,
    primary key (tenant_id, customer_id, channel)
);

-- The latest current-state aggregate per tenant (JSON), recomputed when older than a few minutes.
create table analytics_snapshots (
    tenant_id blob primary key not null,
    computed_at text not null,
    data text not null
);

-- Review decisions per day.
create index review_items_decided on review_items (tenant_id, decided_at);

insert into daily_stats (tenant_id, day, metric, dim1, dim2, n, total)
select tenant_id, substr(occurred_at, 1, 10), 'interactions', channel, direction, count(*), 0
from interactions where channel <> 'note'
group by tenant_id, substr(occurred_at, 1, 10), channel, direction;

insert into daily_stats (tenant_id, day, metric, dim1, dim2, n, total)
select tenant_id, substr(occurred_at, 1, 10), 'sentiment', channel, '', count(*), sum(sentiment)
from interactions where channel <> 'note' and sentiment is not null
group by tenant_id, substr(occurred_at, 1, 10), channel;

-- Past resolutions from the audit log, on the day they were ingested; how a past link was made
-- was not recorded, so its method is 'unrecorded'.
insert into daily_stats (tenant_id, day, metric, dim1, dim2, n, total)
select tenant_id, substr(at, 1, 10), 'resolution',
       case json_extract(after, '$.decision') when 'ambiguous' then 'review' else json_extract(after, '$.decision') end,
       case json_extract(after, '$.decision') when 'linked' then 'unrecorded' else '' end,
       count(*), 0
from audit_log
where action = 'interaction.ingested' and json_extract(after, '$.decision') in ('created', 'linked', 'review', 'ambiguous')
group by 1, 2, 4, 5;

insert into customer_channels (tenant_id, customer_id, channel, first_at, last_at, n)
select tenant_id, customer_id, channel, min(occurred_at), max(occurred_at), count(*)
from interactions where channel <> 'note'
group by tenant_id, customer_id, channel;

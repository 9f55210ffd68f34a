-- Jobs gain two kinds: a duplicate sweep over stored profiles and a list export. SQLite cannot
-- change a check constraint, so the table is rebuilt with the same columns and rows.
create table jobs_new (
    tenant_id blob not null,
    id blob not null,
    kind text not null check (kind in ('import', 'dedupe', 'seed', 'sweep', 'export')),
    status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    total bigint not null default 0,
    done bigint not null default 0,
    metrics text not null default '{}',
    error text,
    created_by text,
    created_at text not null,
    started_at text,
    finished_at text,
    primary key (tenant_id, id)
);
insert into jobs_new (tenant_id, id, kind, status, total, done, metrics, error, created_by,
                      created_at, started_at, finished_at)
    select tenant_id, id, kind, status, total, done, metrics, error, created_by,
           created_at, started_at, finished_at from jobs;
drop table jobs;
alter table jobs_new rename to jobs;
create index jobs_created on jobs (tenant_id, created_at);
create index jobs_kind on jobs (tenant_id, kind, created_at);

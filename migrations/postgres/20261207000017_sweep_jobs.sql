-- Jobs gain two kinds: a duplicate sweep over stored profiles and a list export.
alter table jobs drop constraint jobs_kind_check;
alter table jobs add constraint jobs_kind_check
    check (kind in ('import', 'dedupe', 'seed', 'sweep', 'export'));
create index jobs_kind on jobs (tenant_id, kind, created_at);

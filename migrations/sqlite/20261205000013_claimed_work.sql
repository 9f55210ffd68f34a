-- Background work is claimed, not assumed, so any number of processes can share one database.
--
-- An outbox message is taken for a lease (`claimed_until`) by the process that sends it; a
-- process that dies mid-send leaves it to another once the lease is over. A transient failure
-- (the mail server is away) is retried with a growing pause (`next_attempt_at`); `attempts`
-- counts the tries and `last_error` says what the last one met. `error` stays the permanent
-- failure.
alter table outbox add column attempts integer not null default 0;
alter table outbox add column next_attempt_at text;
alter table outbox add column claimed_until text;
alter table outbox add column last_error text;
create index outbox_due on outbox (sent_at, error, tenant_id);

-- Scheduled work (archiving, purging) runs once per period per tenant: a process takes the
-- job's lease, runs it, and sets when it is due next. A process killed mid-job leaves the job
-- to another when its lease runs out.
create table job_leases (
    tenant_id blob not null,
    job text not null,
    holder text not null,
    lease_until text not null,
    next_run_at text not null,
    last_run_at text,
    primary key (tenant_id, job)
);

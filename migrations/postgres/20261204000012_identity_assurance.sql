-- How each identity was learned, which decides what it may be used for: a sign-in code goes
-- only to an identity the channel asserted or the customer verified. Ranked low to high:
--   claimed   written in a message or typed into a form by whoever wrote it
--   staff     entered by a member of staff
--   asserted  the channel's own address for the message (an SMS sender, an email's From, a
--             store's customer email) or a provider's account id
--   verified  the customer proved they receive at it (a sign-in code), or staff marked it so
alter table identities add column assurance text not null default 'asserted'
    check (assurance in ('claimed', 'staff', 'asserted', 'verified'));
update identities set assurance = 'verified' where verification = 'verified';
-- Until now addresses and numbers found in message text were stored without the raw value the
-- integration sent; they are claims.
update identities set assurance = 'claimed'
    where verification <> 'verified' and kind in ('email', 'phone') and raw_value is null;
alter table identities drop column verification;

-- Contact details a message mentions that were not attached to its profile (see the README's
-- Security section): [{"kind", "value", "holder"}], shown to agents with the message.
alter table interactions add column claims jsonb;

-- Notices and codes per destination, counted to bound them.
create index outbox_destination on outbox (tenant_id, destination, created_at);

-- Failed attempts per key (an account, a client address) in a fixed window, counted atomically
-- in the database so that every process sharing it sees the same count.
create table attempt_counters (
    tenant_id uuid not null,
    scope text not null,
    key text not null,
    window_start timestamptz not null,
    count integer not null,
    primary key (tenant_id, scope, key)
);

-- What each API key may do and how often. Keys made before scopes keep every power and no rate
-- limit; new keys choose theirs (see `spine api-key create`).
alter table api_keys add column scopes text not null default 'ingest read manage privacy';
alter table api_keys add column rate_per_minute integer not null default 0;

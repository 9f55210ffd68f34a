-- The customer's own page (/me) and privacy (postgres). Kept in lockstep with the other dialect.

-- A customer signed in with a one-time code. Like staff sessions, the id is the SHA-256 of the
-- token the `spine_me` cookie holds; the CSRF token is sent back by the page's forms.
create table customer_sessions (
    tenant_id uuid not null,
    id text not null,
    customer_id uuid not null,
    csrf_token text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    primary key (tenant_id, id)
);
create index customer_sessions_id on customer_sessions (id);
create index customer_sessions_customer on customer_sessions (tenant_id, customer_id);

-- Who a message in the outbox is for, so erasing a person removes what was sent to them.
alter table outbox add column customer_id uuid;
create index outbox_customer on outbox (tenant_id, customer_id);
create index otp_codes_customer on otp_codes (tenant_id, customer_id);

-- The profiles merged into one (erasure walks this graph; there is one row per absorbed profile).
create index customers_merged_into on customers (tenant_id, merged_into) where merged_into is not null;

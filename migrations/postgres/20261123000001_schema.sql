-- Spine's domain schema (PostgreSQL). Kept in lockstep with migrations/sqlite.
-- Every table is tenant-scoped: tenant_id leads every primary key and unique index.
-- uuid, timestamptz and jsonb are native here; SQLite stores the same values as blob and text.

create table tenants (
    id uuid primary key not null,
    slug text not null unique,
    name text not null,
    default_region text not null default 'US',
    link_threshold double precision not null default 0.9,
    review_threshold double precision not null default 0.6,
    created_at timestamptz not null
);

create table users (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    email text not null,
    name text not null,
    role text not null check (role in ('admin', 'manager', 'agent')),
    password_hash text not null,
    created_at timestamptz not null,
    disabled_at timestamptz,
    primary key (tenant_id, id)
);
create unique index users_email on users (tenant_id, email);

create table sessions (
    tenant_id uuid not null,
    id text not null,
    user_id uuid not null,
    csrf_token text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references users (tenant_id, id)
);
create index sessions_id on sessions (id);

create table api_keys (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    prefix text not null,
    key_hash text not null,
    created_at timestamptz not null,
    last_used_at timestamptz,
    revoked_at timestamptz,
    primary key (tenant_id, id)
);
create unique index api_keys_hash on api_keys (tenant_id, key_hash);
create index api_keys_lookup on api_keys (key_hash);

create table customers (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    display_name text,
    given_name text,
    family_name text,
    primary_email text,
    primary_phone text,
    lifecycle_stage text not null default 'prospect'
        check (lifecycle_stage in ('prospect', 'lead', 'customer', 'churned')),
    tags jsonb not null default '[]',
    preferred_channel text,
    timezone text,
    language text,
    marketing_opt_in boolean not null default false,
    notification_prefs jsonb not null default '{}',
    sources jsonb not null default '[]',
    source_campaign text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    last_seen_at timestamptz,
    deleted_at timestamptz,
    merged_into uuid,
    erased_at timestamptz,
    primary key (tenant_id, id)
);
create index customers_email on customers (tenant_id, primary_email);
create index customers_phone on customers (tenant_id, primary_phone);
create index customers_family on customers (tenant_id, family_name);
create index customers_created on customers (tenant_id, created_at);
create index customers_last_seen on customers (tenant_id, last_seen_at);

create table identities (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    kind text not null
        check (kind in ('external_id', 'login', 'email', 'phone', 'handle', 'address_hash')),
    provider text not null default '',
    value text not null,
    raw_value text,
    -- Provider-canonical form (Gmail without dots and +tags...), to find variants of each other.
    match_key text not null default '',
    confidence double precision not null default 1.0,
    verification text not null default 'unverified'
        check (verification in ('unverified', 'verified')),
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    origin_customer_id uuid not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
-- One profile holds an identifier once; a provider's external id or a login belongs to one profile only.
create unique index identities_per_customer on identities (tenant_id, customer_id, kind, provider, value);
create unique index identities_exclusive on identities (tenant_id, kind, provider, value)
    where kind in ('external_id', 'login');
create index identities_lookup on identities (tenant_id, kind, value);
create index identities_match_key on identities (tenant_id, kind, match_key);

create table threads (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    channel text not null,
    topic text,
    status text not null default 'open' check (status in ('open', 'waiting', 'resolved')),
    continues_thread_id uuid,
    handoff_from_channel text,
    summary text,
    opened_at timestamptz not null,
    last_message_at timestamptz not null,
    resolved_at timestamptz,
    archived_at timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create index threads_customer on threads (tenant_id, customer_id, last_message_at);

create table interactions (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    origin_customer_id uuid not null,
    thread_id uuid,
    channel text not null,
    direction text not null check (direction in ('inbound', 'outbound', 'internal')),
    kind text not null,
    occurred_at timestamptz not null,
    body text,
    payload jsonb,
    provider_message_id text,
    sentiment double precision,
    created_at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create unique index interactions_idempotency on interactions (tenant_id, channel, provider_message_id)
    where provider_message_id is not null;
create index interactions_timeline on interactions (tenant_id, customer_id, occurred_at, id);
create index interactions_occurred on interactions (tenant_id, occurred_at);
create index interactions_thread on interactions (tenant_id, thread_id, occurred_at);

create table orders (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    origin_customer_id uuid not null,
    provider text not null,
    external_id text not null,
    total_cents bigint not null default 0,
    currency text not null default 'USD',
    status text not null default 'placed',
    placed_at timestamptz not null,
    shipping_address_hash text,
    items jsonb not null default '[]',
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create unique index orders_external on orders (tenant_id, provider, external_id);
create index orders_customer on orders (tenant_id, customer_id, placed_at);

create table review_items (
    tenant_id uuid not null,
    id uuid not null,
    status text not null default 'pending'
        check (status in ('pending', 'merged', 'rejected', 'deferred')),
    reason text not null,
    subject_customer_id uuid not null,
    candidate_ids jsonb not null,
    evidence jsonb not null,
    score double precision not null,
    interaction_id uuid,
    created_at timestamptz not null,
    decided_by uuid,
    decided_at timestamptz,
    decision jsonb,
    primary key (tenant_id, id)
);
create index review_items_queue on review_items (tenant_id, status, score);
create index review_items_subject on review_items (tenant_id, subject_customer_id);

-- "Not the same person": a pair never proposed again. left_id < right_id.
create table non_matches (
    tenant_id uuid not null,
    left_id uuid not null,
    right_id uuid not null,
    decided_by uuid,
    created_at timestamptz not null,
    primary key (tenant_id, left_id, right_id)
);

create table merges (
    tenant_id uuid not null,
    id uuid not null,
    survivor_id uuid not null,
    absorbed_id uuid not null,
    review_item_id uuid,
    snapshot jsonb not null,
    field_choices jsonb not null default '{}',
    actor text not null,
    created_at timestamptz not null,
    undone_at timestamptz,
    undone_by text,
    primary key (tenant_id, id)
);
create index merges_survivor on merges (tenant_id, survivor_id, created_at);
create index merges_absorbed on merges (tenant_id, absorbed_id);
create index merges_created on merges (tenant_id, created_at);

create table audit_log (
    tenant_id uuid not null,
    id uuid not null,
    at timestamptz not null,
    actor_kind text not null,
    actor_id text,
    actor_label text not null,
    action text not null,
    entity_kind text not null,
    entity_id text,
    customer_id uuid,
    before jsonb,
    after jsonb,
    ip text,
    user_agent text,
    primary key (tenant_id, id)
);
create index audit_log_at on audit_log (tenant_id, at);
create index audit_log_customer on audit_log (tenant_id, customer_id, at);
create index audit_log_action on audit_log (tenant_id, action, at);

create table jobs (
    tenant_id uuid not null,
    id uuid not null,
    kind text not null check (kind in ('import', 'dedupe', 'seed')),
    status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    total bigint not null default 0,
    done bigint not null default 0,
    metrics jsonb not null default '{}',
    error text,
    created_by text,
    created_at timestamptz not null,
    started_at timestamptz,
    finished_at timestamptz,
    primary key (tenant_id, id)
);
create index jobs_created on jobs (tenant_id, created_at);

create table consents (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    purpose text not null,
    granted boolean not null,
    source text not null,
    at timestamptz not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create index consents_customer on consents (tenant_id, customer_id, at);

create table otp_codes (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    destination_hash text not null,
    code_hash text not null,
    attempts bigint not null default 0,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    primary key (tenant_id, id)
);
create index otp_codes_destination on otp_codes (tenant_id, destination_hash, created_at);

create table outbox (
    tenant_id uuid not null,
    id uuid not null,
    channel text not null,
    destination text not null,
    subject text,
    body text not null,
    created_at timestamptz not null,
    sent_at timestamptz,
    error text,
    primary key (tenant_id, id)
);
create index outbox_pending on outbox (tenant_id, sent_at, created_at);

-- Erased profiles leave only salted hashes of their identifiers, so re-entering identifiers do not resurrect history.
create table tombstones (
    tenant_id uuid not null,
    identifier_hash text not null,
    erased_at timestamptz not null,
    primary key (tenant_id, identifier_hash)
);

-- The tenant's trained Fellegi-Sunter model (m and u per comparison level), plain JSON.
create table match_models (
    tenant_id uuid not null,
    id uuid not null,
    model jsonb not null,
    trained_at timestamptz not null,
    primary key (tenant_id, id)
);

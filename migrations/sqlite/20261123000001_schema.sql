-- Spine's domain schema (SQLite). Kept in lockstep with migrations/postgres.
-- Every table is tenant-scoped: tenant_id leads every primary key and unique index.
-- uuid columns hold sqlx's 16-byte blobs; timestamps are RFC 3339 text in UTC; json is text.

create table tenants (
    id blob primary key not null,
    slug text not null unique,
    name text not null,
    default_region text not null default 'US',
    link_threshold real not null default 0.9,
    review_threshold real not null default 0.6,
    created_at text not null
);

create table users (
    tenant_id blob not null references tenants (id),
    id blob not null,
    email text not null,
    name text not null,
    role text not null check (role in ('admin', 'manager', 'agent')),
    password_hash text not null,
    created_at text not null,
    disabled_at text,
    primary key (tenant_id, id)
);
create unique index users_email on users (tenant_id, email);

create table sessions (
    tenant_id blob not null,
    id text not null,
    user_id blob not null,
    csrf_token text not null,
    created_at text not null,
    expires_at text not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references users (tenant_id, id)
);
create index sessions_id on sessions (id);

create table api_keys (
    tenant_id blob not null references tenants (id),
    id blob not null,
    name text not null,
    prefix text not null,
    key_hash text not null,
    created_at text not null,
    last_used_at text,
    revoked_at text,
    primary key (tenant_id, id)
);
create unique index api_keys_hash on api_keys (tenant_id, key_hash);
create index api_keys_lookup on api_keys (key_hash);

create table customers (
    tenant_id blob not null references tenants (id),
    id blob not null,
    display_name text,
    given_name text,
    family_name text,
    primary_email text,
    primary_phone text,
    lifecycle_stage text not null default 'prospect'
        check (lifecycle_stage in ('prospect', 'lead', 'customer', 'churned')),
    tags text not null default '[]',
    preferred_channel text,
    timezone text,
    language text,
    marketing_opt_in boolean not null default false,
    notification_prefs text not null default '{}',
    sources text not null default '[]',
    source_campaign text,
    created_at text not null,
    updated_at text not null,
    last_seen_at text,
    deleted_at text,
    merged_into blob,
    erased_at text,
    primary key (tenant_id, id)
);
create index customers_email on customers (tenant_id, primary_email);
create index customers_phone on customers (tenant_id, primary_phone);
create index customers_family on customers (tenant_id, family_name);
create index customers_created on customers (tenant_id, created_at);
create index customers_last_seen on customers (tenant_id, last_seen_at);

create table identities (
    tenant_id blob not null,
    id blob not null,
    customer_id blob not null,
    kind text not null
        check (kind in ('external_id', 'login', 'email', 'phone', 'handle', 'address_hash')),
    provider text not null default '',
    value text not null,
    raw_value text,
    -- Provider-canonical form (Gmail without dots and +tags...), to find variants of each other.
    match_key text not null default '',
    confidence real not null default 1.0,
    verification text not null default 'unverified'
        check (verification in ('unverified', 'verified')),
    first_seen_at text not null,
    last_seen_at text not null,
    origin_customer_id blob not null,
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
    tenant_id blob not null,
    id blob not null,
    customer_id blob not null,
    channel text not null,
    topic text,
    status text not null default 'open' check (status in ('open', 'waiting', 'resolved')),
    continues_thread_id blob,
    handoff_from_channel text,
    summary text,
    opened_at text not null,
    last_message_at text not null,
    resolved_at text,
    archived_at text,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create index threads_customer on threads (tenant_id, customer_id, last_message_at);

create table interactions (
    tenant_id blob not null,
    id blob not null,
    customer_id blob not null,
    origin_customer_id blob not null,
    thread_id blob,
    channel text not null,
    direction text not null check (direction in ('inbound', 'outbound', 'internal')),
    kind text not null,
    occurred_at text not null,
    body text,
    payload text,
    provider_message_id text,
    sentiment real,
    created_at text not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create unique index interactions_idempotency on interactions (tenant_id, channel, provider_message_id)
    where provider_message_id is not null;
create index interactions_timeline on interactions (tenant_id, customer_id, occurred_at, id);
create index interactions_occurred on interactions (tenant_id, occurred_at);
create index interactions_thread on interactions (tenant_id, thread_id, occurred_at);

create table orders (
    tenant_id blob not null,
    id blob not null,
    customer_id blob not null,
    origin_customer_id blob not null,
    provider text not null,
    external_id text not null,
    total_cents bigint not null default 0,
    currency text not null default 'USD',
    status text not null default 'placed',
    placed_at text not null,
    shipping_address_hash text,
    items text not null default '[]',
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create unique index orders_external on orders (tenant_id, provider, external_id);
create index orders_customer on orders (tenant_id, customer_id, placed_at);

create table review_items (
    tenant_id blob not null,
    id blob not null,
    status text not null default 'pending'
        check (status in ('pending', 'merged', 'rejected', 'deferred')),
    reason text not null,
    subject_customer_id blob not null,
    candidate_ids text not null,
    evidence text not null,
    score real not null,
    interaction_id blob,
    created_at text not null,
    decided_by blob,
    decided_at text,
    decision text,
    primary key (tenant_id, id)
);
create index review_items_queue on review_items (tenant_id, status, score);
create index review_items_subject on review_items (tenant_id, subject_customer_id);

-- "Not the same person": a pair never proposed again. left_id < right_id.
create table non_matches (
    tenant_id blob not null,
    left_id blob not null,
    right_id blob not null,
    decided_by blob,
    created_at text not null,
    primary key (tenant_id, left_id, right_id)
);

create table merges (
    tenant_id blob not null,
    id blob not null,
    survivor_id blob not null,
    absorbed_id blob not null,
    review_item_id blob,
    snapshot text not null,
    field_choices text not null default '{}',
    actor text not null,
    created_at text not null,
    undone_at text,
    undone_by text,
    primary key (tenant_id, id)
);
create index merges_survivor on merges (tenant_id, survivor_id, created_at);
create index merges_absorbed on merges (tenant_id, absorbed_id);
create index merges_created on merges (tenant_id, created_at);

create table audit_log (
    tenant_id blob not null,
    id blob not null,
    at text not null,
    actor_kind text not null,
    actor_id text,
    actor_label text not null,
    action text not null,
    entity_kind text not null,
    entity_id text,
    customer_id blob,
    before text,
    after text,
    ip text,
    user_agent text,
    primary key (tenant_id, id)
);
create index audit_log_at on audit_log (tenant_id, at);
create index audit_log_customer on audit_log (tenant_id, customer_id, at);
create index audit_log_action on audit_log (tenant_id, action, at);

create table jobs (
    tenant_id blob not null,
    id blob not null,
    kind text not null check (kind in ('import', 'dedupe', 'seed')),
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
create index jobs_created on jobs (tenant_id, created_at);

create table consents (
    tenant_id blob not null,
    id blob not null,
    customer_id blob not null,
    purpose text not null,
    granted boolean not null,
    source text not null,
    at text not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, customer_id) references customers (tenant_id, id)
);
create index consents_customer on consents (tenant_id, customer_id, at);

create table otp_codes (
    tenant_id blob not null,
    id blob not null,
    customer_id blob not null,
    destination_hash text not null,
    code_hash text not null,
    attempts bigint not null default 0,
    created_at text not null,
    expires_at text not null,
    used_at text,
    primary key (tenant_id, id)
);
create index otp_codes_destination on otp_codes (tenant_id, destination_hash, created_at);

create table outbox (
    tenant_id blob not null,
    id blob not null,
    channel text not null,
    destination text not null,
    subject text,
    body text not null,
    created_at text not null,
    sent_at text,
    error text,
    primary key (tenant_id, id)
);
create index outbox_pending on outbox (tenant_id, sent_at, created_at);

-- Erased profiles leave only salted hashes of their identifiers, so re-entering identifiers do not resurrect history.
create table tombstones (
    tenant_id blob not null,
    identifier_hash text not null,
    erased_at text not null,
    primary key (tenant_id, identifier_hash)
);

-- The tenant's trained Fellegi-Sunter model (m and u per comparison level), plain JSON.
create table match_models (
    tenant_id blob not null,
    id blob not null,
    model text not null,
    trained_at text not null,
    primary key (tenant_id, id)
);

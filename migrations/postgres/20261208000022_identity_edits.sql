-- Identifiers staff added, verified or moved to another profile by hand: what each edit changed,
-- so it can be shown on the profile and undone. `snapshot` holds the identity row and the
-- profiles' primary email and phone as they were before the edit.
create table identity_edits (
    tenant_id uuid not null,
    id uuid not null,
    customer_id uuid not null,
    -- Where an unlinked identifier went (a new profile or one staff chose).
    other_customer_id uuid,
    identity_id uuid not null,
    action text not null check (action in ('added', 'verified', 'unlinked')),
    reason text not null,
    snapshot jsonb not null,
    actor text not null,
    created_at timestamptz not null,
    undone_at timestamptz,
    undone_by text,
    primary key (tenant_id, id)
);
create index identity_edits_customer on identity_edits (tenant_id, customer_id, created_at);
create index identity_edits_other on identity_edits (tenant_id, other_customer_id, created_at);
create index identity_edits_identity on identity_edits (tenant_id, identity_id, created_at);

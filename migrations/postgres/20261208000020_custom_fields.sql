-- Custom fields: a tenant's own attributes of a person ("Allergies", "Loyalty tier"), defined by
-- its admins, each of one kind, with a value per profile.
create table custom_fields (
    tenant_id uuid not null,
    key text not null,
    label text not null,
    kind text not null check (kind in ('text', 'number', 'date', 'yes_no', 'choice')),
    -- For 'choice': the allowed values, a JSON array of strings.
    choices text not null default '[]',
    created_at timestamptz not null,
    primary key (tenant_id, key)
);

-- One value per profile and field: text (a date as YYYY-MM-DD, yes/no as 'yes' or 'no'), and
-- for a number the number too, so a range is an index range.
create table customer_field_values (
    tenant_id uuid not null,
    customer_id uuid not null,
    key text not null,
    value_text text not null,
    value_number double precision,
    updated_at timestamptz not null,
    primary key (tenant_id, customer_id, key)
);
create index customer_field_values_text on customer_field_values (tenant_id, key, value_text, customer_id);
create index customer_field_values_number on customer_field_values (tenant_id, key, value_number, customer_id);

-- Provider webhooks (SQLite). Kept in lockstep with migrations/postgres.
-- One row per tenant and provider: the secret that signs its deliveries (Twilio's auth token,
-- Meta's app secret, Shopify's client secret, the generic webhook's shared secret) and, for
-- WhatsApp and Meta, the token their subscription handshake echoes. The secret is kept as given:
-- checking an HMAC needs it, so it cannot be hashed like an API key.

create table webhook_configs (
    tenant_id blob not null references tenants (id),
    provider text not null check (provider in ('twilio', 'whatsapp', 'meta', 'shopify', 'generic')),
    secret text not null,
    verify_token text,
    created_at text not null,
    updated_at text not null,
    primary key (tenant_id, provider)
);

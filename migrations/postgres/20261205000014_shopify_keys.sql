-- Shopify is read by one module for its webhooks and its exports, with one key scheme, so an
-- order or a customer that arrives both ways is stored once. Keys written before are rewritten:
--   an order entry from a webhook    shopify-order:{id}:{status}      -> shopify:order:{name}:{status}
--   an order entry from an import    shopify:order:{name}             -> shopify:order:{name}:{status}
--   a customer note from a webhook   shopify-customer:{id}:{digest}   -> shopify:customer:{id}:{digest}
--   an order received by webhook     keyed by its id                  -> keyed by its name
-- A rewrite that would meet a row already under the new key (the same order stored both ways
-- before) leaves the old key as it is. Customer notes from imports keep their keys (they hashed
-- the whole row, which is not stored): importing the same file again adds one note per customer.

-- Order rows received by webhook take the name their entry's payload carries.
update orders set external_id = named.name
from (
    select i.tenant_id,
           substr(i.provider_message_id, 15, strpos(substr(i.provider_message_id, 15), ':') - 1) as order_id,
           min((i.payload ->> 'order_name')) as name
    from interactions i
    where i.channel = 'order' and i.provider_message_id like 'shopify-order:%:%'
      and i.payload is not null and (i.payload ->> 'order_name') is not null
    group by i.tenant_id, substr(i.provider_message_id, 15, strpos(substr(i.provider_message_id, 15), ':') - 1)
) as named
where orders.tenant_id = named.tenant_id and orders.provider = 'shopify'
  and orders.external_id = named.order_id
  and not exists (select 1 from orders o where o.tenant_id = orders.tenant_id
                  and o.provider = 'shopify' and o.external_id = named.name);

-- Order entries from webhooks: the order's name and the status.
update interactions
set provider_message_id = 'shopify:order:' || (interactions.payload ->> 'order_name') || ':' || substr(interactions.provider_message_id, 15 + strpos(substr(interactions.provider_message_id, 15), ':'))
where channel = 'order' and provider_message_id like 'shopify-order:%:%'
  and interactions.payload is not null and (interactions.payload ->> 'order_name') is not null
  and not exists (
      select 1 from interactions j
      where j.tenant_id = interactions.tenant_id and j.channel = 'order'
        and j.provider_message_id = 'shopify:order:' || (interactions.payload ->> 'order_name') || ':' || substr(interactions.provider_message_id, 15 + strpos(substr(interactions.provider_message_id, 15), ':')));

-- Order entries from imports: the status of their order.
update interactions
set provider_message_id = provider_message_id || ':' || (
    select o.status from orders o
    where o.tenant_id = interactions.tenant_id and o.provider = 'shopify'
      and 'shopify:order:' || o.external_id = interactions.provider_message_id)
where channel = 'order' and provider_message_id like 'shopify:order:%'
  and exists (
      select 1 from orders o
      where o.tenant_id = interactions.tenant_id and o.provider = 'shopify'
        and 'shopify:order:' || o.external_id = interactions.provider_message_id)
  and not exists (
      select 1 from interactions j, orders o
      where o.tenant_id = interactions.tenant_id and o.provider = 'shopify'
        and 'shopify:order:' || o.external_id = interactions.provider_message_id
        and j.tenant_id = interactions.tenant_id and j.channel = 'order'
        and j.provider_message_id = interactions.provider_message_id || ':' || o.status);

-- Customer notes from webhooks: the import's prefix.
update interactions
set provider_message_id = 'shopify:customer:' || substr(provider_message_id, 18)
where channel = 'note' and provider_message_id like 'shopify-customer:%'
  and not exists (
      select 1 from interactions j
      where j.tenant_id = interactions.tenant_id and j.channel = 'note'
        and j.provider_message_id = 'shopify:customer:' || substr(interactions.provider_message_id, 18));

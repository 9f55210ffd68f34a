-- Name search keys gained an order-insensitive key for each word's first three letters (see
-- spine_engine::search). Emptying the index makes the start-up backfill (run after migrations)
-- rewrite every profile's keys with the new set.
delete from customer_name_keys;

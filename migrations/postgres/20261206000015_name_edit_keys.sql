-- Name search keys gained edit keys (each short word, and the word less each of its letters;
-- see spine_engine::search). Emptying the index makes the start-up backfill (run after
-- migrations) rewrite every profile's keys with the new set.
delete from customer_name_keys;

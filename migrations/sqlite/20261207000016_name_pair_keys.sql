-- Name search keys gained pair keys (two words of a name together, by their sounds; see
-- spine_engine::search). The index is emptied and each tenant marked for the start-up backfill
-- (run after migrations), which rewrites its profiles' keys with the new set and then marks it
-- done, so later starts read the flag instead of looking for profiles without keys.
alter table tenants add column names_indexed boolean not null default true;
delete from customer_name_keys;
update tenants set names_indexed = false;

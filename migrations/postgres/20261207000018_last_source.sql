-- The source of the latest event that reached a profile ("last updated via"), beside the list
-- of every source in order of first appearance; filled from that list's last entry.
alter table customers add column last_source text;
update customers set last_source = sources->>-1 where jsonb_array_length(sources) > 0;

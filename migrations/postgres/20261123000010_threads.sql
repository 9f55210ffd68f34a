-- Conversation memory (PostgreSQL; kept in lockstep with migrations/sqlite). Each thread keeps
-- what it is about (topics) and what it names (order numbers, bookings, dates, amounts,
-- products), so the next message is matched to it without reading its history again; its
-- running extractive summary is in `summary` (JSON).
alter table threads add column topics jsonb not null default '[]'::jsonb;
alter table threads add column entities jsonb not null default '[]'::jsonb;

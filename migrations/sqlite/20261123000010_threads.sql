-- Conversation memory (SQLite; kept in lockstep with migrations/postgres). Each thread keeps
-- what it is about (topics) and what it names (order numbers, bookings, dates, amounts,
-- products), so the next message is matched to it without reading its history again; its
-- running extractive summary is in `summary` (JSON).
alter table threads add column topics text not null default '[]';
alter table threads add column entities text not null default '[]';

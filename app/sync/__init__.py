"""Cloud sync: every register of every store shares one program through PostgreSQL (no Qt).

Design, in short (the README's "Cloud sync" section says the same for owners):

* Without sync nothing changes: one register, offline, forever. The central database is
  PostgreSQL built by the same Alembic migrations; each register keeps its SQLite file.
* Change tracking: SQLite triggers (migration 0005, app/sync/tracking.py) write every
  insert, and every changed column of a mutable row, to ``sync_outbox`` in the same
  transaction, with a hybrid logical clock (``sync_clock.hlc`` = max(wall ms * 1000,
  last + 1), advanced past every pulled clock). They are quiet until sync is set up and
  while pulled rows are applied. Per-field clocks live in ``sync_field_clocks``.
* Immutable rows (ledger, sales, redemptions, tier changes, audit, programs, sign-in
  attempts, conflicts) merge by id: pushing them twice is harmless. A row refused for a
  unique key another row already holds becomes a ``sync_conflicts`` row (needs attention).
* Mutable rows (customers, cards, coupons, staff, stores, registers) merge field by field:
  the higher (hlc, origin register) wins, so causally later edits win whatever the wall
  clocks say, and equal clocks break ties by register id.
* One phone, one customer: when two living records share a phone, the smaller id keeps it;
  the other becomes 'merged' (merged_into_id) and everything of it (ledger, sales,
  redemptions, cards, coupons) moves to the keeper, once-only bonus keys renamed
  ``key@<old id>``. 'merged' absorbs later edits of those fields. Every database applies the
  same rule itself (app/sync/merge.py), so all reach the same result independently.
* Push: the whole outbox in one server transaction holding its business's feed head row
  (``sync_feed_heads``, FOR UPDATE: commit order = number order within a business, other
  businesses never wait) that also appends to ``sync_changes`` ((business_id, seq)) and NOTIFYs;
  the outbox is emptied only after the commit. Pull: the feed after the register's
  watermark, read in one REPEATABLE READ snapshot, applied in one local transaction that
  also moves the watermark and the running figures (app/sync/figures.py). A cut anywhere
  repeats work at most.
* First upload (app/sync/upload.py), in one server transaction: into an empty central
  database, COPY straight into the tables with keys, indexes and foreign keys set aside and
  rebuilt from the server's own catalog, the feed in one INSERT ... SELECT per table; beside
  other registers' data, COPY into temporary tables, then one INSERT ... SELECT per table.
* Figures after a pull (app/sync/figures.py) follow order-free rules, so member counts agree
  on every register; a sync run is audited only when it moved something.
* Background: SyncWorker (app/sync/background.py).
"""

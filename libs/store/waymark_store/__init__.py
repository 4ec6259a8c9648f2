"""waymark-store: everything Waymark says to Postgres.

Modules: `settings` (typed settings), `db` (pool, dedicated connections), `migrate` (numbered migrations),
`listener` (LISTEN with reconnect), `channels` (NOTIFY names), and one module per table family with every SQL
statement as a named constant: `versions`, `runs`, `advance`, `actions`, `timers`.
"""

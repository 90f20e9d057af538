-- What every replica saw of each guarded canary, per second: the canary guard judges the sum of all
-- replicas' calls in its window. Rows are written once and removed when older than any window.

create table guard_tally (
    replica    varchar(32)  not null,
    model      varchar(128) not null,
    version    integer      not null,
    policy_at  timestamp with time zone not null,
    epoch_second bigint     not null,
    calls      integer      not null,
    failures   integer      not null,
    slow       integer      not null
);

create index ix_guard_tally_variant on guard_tally (model, version, policy_at, epoch_second);
create index ix_guard_tally_second on guard_tally (epoch_second);

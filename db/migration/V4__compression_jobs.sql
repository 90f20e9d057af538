-- Compression jobs (one per POST .../compressions) and uploaded calibration sets.

create table compression_job (
    id             varchar(36)   primary key,
    model_id       bigint        not null references model (id) on delete cascade,
    parent_version integer       not null,
    recipe         varchar(8000) not null,
    calibration    varchar(2000),
    status         varchar(16)   not null,
    progress       integer       not null,
    step           varchar(256),
    result_version integer,
    report         varchar(65535),
    error          varchar(4000),
    created_at     timestamp with time zone not null,
    updated_at     timestamp with time zone not null,
    constraint ck_compression_job_status check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'))
);

create index ix_compression_job_model on compression_job (model_id);

create table calibration_set (
    id         varchar(36) primary key,
    model_id   bigint      not null references model (id) on delete cascade,
    samples    integer     not null,
    created_at timestamp with time zone not null
);

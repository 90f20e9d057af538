-- A compression job can be cancelled (DELETE /api/v1/jobs/{id}) while QUEUED or RUNNING.

alter table compression_job drop constraint ck_compression_job_status;
alter table compression_job add constraint ck_compression_job_status
    check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));

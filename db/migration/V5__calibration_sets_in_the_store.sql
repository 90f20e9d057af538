-- Calibration sets keep their bytes in the artifact store (by sha256), so every replica reads them.
-- Sets stored before this version have no sha256 and are read from the data directory as before.

alter table calibration_set add column sha256 varchar(64);
alter table calibration_set add column size_bytes bigint;

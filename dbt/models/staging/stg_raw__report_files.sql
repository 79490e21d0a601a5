-- One row per file path under the raw folder (the same bytes under two names are two rows).
select
    source_file,
    report_id,
    byte_size,
    mtime_ns,
    read_error,
    read_error_code,
    ingested_at
from {{ source('raw', 'report_files') }}

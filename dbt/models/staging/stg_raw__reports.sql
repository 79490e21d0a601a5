-- One row per distinct raw content. The decoded text stays in raw; staging carries what models need.
select
    report_id,
    byte_size,
    encoding,
    decode_status,
    decode_error,
    ingested_at
from {{ source('raw', 'reports') }}

-- One row per raw report (distinct content).
select
    r.report_id,
    f.source_file,
    f.source_files,
    r.byte_size,
    r.encoding,
    r.decode_status,
    r.ingested_at
from {{ ref('stg_raw__reports') }} as r
join {{ ref('int_report_files_grouped') }} as f using (report_id)

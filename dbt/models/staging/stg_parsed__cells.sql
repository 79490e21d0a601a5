-- One row per extracted value, with its provenance (raw text and source line).
select
    report_id,
    metric_code,
    value,
    value_state,
    raw_text,
    unit,
    value_yuan,
    source_line,
    label_raw,
    approximate
from {{ source('parsed', 'cells') }}

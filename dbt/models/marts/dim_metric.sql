-- One row per metric code, straight from the parser's catalogue (parsing/templates.py): one source
-- of truth for codes, labels and units, never a second hand-kept list.
select
    metric_code,
    table_code,
    block_code,
    row_code,
    column_code,
    label_zh,
    unit,
    value_type,
    template_versions
from {{ ref('stg_parsed__metric_catalogue') }}

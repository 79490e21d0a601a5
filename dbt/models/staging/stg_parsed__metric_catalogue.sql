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
from {{ source('parsed', 'metric_catalogue') }}

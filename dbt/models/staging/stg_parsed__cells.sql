-- One row per extracted value, with its provenance (raw text and source line; for PDFs page and cell box).
select
    report_id,
    metric_code,
    value,
    value_state,
    raw_text,
    unit,
    value_yuan,
    source_line,
    page,  -- PDF only (null otherwise): page, cell box in points (top-left origin), pdf_text | ocr
    bbox_x0,
    bbox_y0,
    bbox_x1,
    bbox_y1,
    read_by,
    label_raw,
    approximate,
    inferred_by  -- value_state 'inferred' only: check ids whose identities chose the split of a glued run
from {{ source('parsed', 'cells') }}

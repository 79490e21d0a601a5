-- One row per section of one report, in document order. Incremental like fct_report_metric (the
-- section texts are the largest mart after the facts): a run inserts the sections of the reports
-- parsed since the last run and replaces those reports' old rows (delete+insert on report_id); the
-- post-hook drops the sections of reports that are gone or were parsed again.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='report_id',
        on_schema_change='append_new_columns',
        post_hook=[
            "delete from {{ this }} as s where not exists (
                select 1 from {{ ref('stg_parsed__reports') }} as p
                where p.report_id = s.report_id and p.parsed_at = s.parsed_at)"
        ],
    )
}}

select
    s.report_id,
    s.ordinal,
    s.section_code,
    s.title,
    s.body,
    s.line_start as source_line,
    s.line_end,
    p.parsed_at
from {{ ref('stg_parsed__sections') }} as s
inner join {{ ref('stg_parsed__reports') }} as p using (report_id)
{% if is_incremental() %}
where p.parsed_at > (select coalesce(max(parsed_at), '1970-01-01'::timestamptz) from {{ this }})
{% endif %}

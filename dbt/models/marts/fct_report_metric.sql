-- One row per metric of one report. Incremental: a run inserts only the facts of reports parsed
-- since the last run (new, changed, or re-parsed by a new parser version) and replaces those reports'
-- old rows (delete+insert on report_id); an unchanged corpus rewrites nothing. The post-hook drops
-- facts whose report is gone or was parsed again, so a report never carries two generations of facts.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='report_id',
        on_schema_change='append_new_columns',
        post_hook=[
            "delete from {{ this }} as f where not exists (
                select 1 from {{ ref('stg_parsed__reports') }} as p
                where p.report_id = f.report_id and p.parsed_at = f.parsed_at)"
        ],
    )
}}

-- depends_on: {{ ref('dim_metric') }}  (so its relationship test runs in the same dbt invocation)
select
    c.report_id,
    p.agency_id,
    p.report_year,
    c.metric_code,
    c.value,
    c.value_state,
    c.raw_text,
    c.source_line,
    c.page,
    c.bbox_x0,
    c.bbox_y0,
    c.bbox_x1,
    c.bbox_y1,
    c.read_by,
    c.unit,
    c.value_yuan,
    c.label_raw,
    c.approximate,
    c.inferred_by,
    p.template_version,
    p.parsed_at
from {{ ref('stg_parsed__cells') }} as c
inner join {{ ref('stg_parsed__reports') }} as p using (report_id)
{% if is_incremental() %}
where p.parsed_at > (select coalesce(max(parsed_at), '1970-01-01'::timestamptz) from {{ this }})
{% endif %}

-- Table 三 as it is printed: one row per report × table row, one column per applicant type.
-- A view over fct_report_metric ⨝ dim_metric (no second copy of the numbers).
{{ config(materialized='view') }}

select
    f.report_id,
    f.agency_id,
    f.report_year,
    f.template_version,
    m.row_code,
    min(f.source_line) as source_line,
    max(f.value) filter (where m.column_code = 'natural_person') as natural_person,
    max(f.value) filter (where m.column_code = 'commercial_enterprise') as commercial_enterprise,
    max(f.value) filter (where m.column_code = 'research_institution') as research_institution,
    max(f.value) filter (where m.column_code = 'social_welfare_org') as social_welfare_org,
    max(f.value) filter (where m.column_code = 'legal_service_org') as legal_service_org,
    max(f.value) filter (where m.column_code = 'other_org') as other_org,
    max(f.value) filter (where m.column_code = 'total') as total
from {{ ref('fct_report_metric') }} as f
inner join {{ ref('dim_metric') }} as m using (metric_code)
inner join {{ ref('dim_report') }} as d using (report_id)
where
    d.is_current  -- a superseded revision is in fct_report_metric, not here
    and m.table_code = 't3'
group by all

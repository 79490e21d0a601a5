-- Table 四 as one row per report: 行政复议 and the two 行政诉讼 blocks, five columns each.
{{ config(materialized='view') }}

select
    f.report_id,
    f.agency_id,
    f.report_year,
    f.template_version,
    min(f.source_line) as source_line,
    {% for block in ['review', 'lit_direct', 'lit_after_review'] %}
        {% for outcome in ['upheld', 'corrected', 'other', 'pending', 'total'] %}
            max(f.value) filter (where m.column_code = '{{ block }}_{{ outcome }}') as {{ block }}_{{ outcome }},
        {% endfor %}
    {% endfor %}
    max(f.value) filter (where m.column_code = 'lit_direct_total')
    + max(f.value) filter (where m.column_code = 'lit_after_review_total') as lit_total
from {{ ref('fct_report_metric') }} as f
inner join {{ ref('dim_metric') }} as m using (metric_code)
inner join {{ ref('dim_report') }} as d using (report_id)
where
    d.is_current  -- a superseded revision is in fct_report_metric, not here
    and m.table_code = 't4'
group by all

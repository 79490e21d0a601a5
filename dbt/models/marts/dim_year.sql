-- Every report year from the first national reports (2008) to the latest year present, with the
-- template prescribed for it (stg_parsed__template_years, written from parsing/templates.py).
-- depends_on: {{ ref('stg_parsed__template_versions') }}
-- (so the template_version relationship test runs in the same dbt invocation)
with bounds as (
    select coalesce(max(report_year), 0) as last_year
    from {{ ref('stg_parsed__reports') }}
    where report_year between 2000 and 2100
),

years as (
    select * from {{ ref('stg_parsed__template_years') }}
)

select
    cast(y.report_year as integer) as report_year,
    y.expected_template
from years as y, bounds as b
where y.report_year <= greatest(b.last_year, (select min(y0.report_year) from years as y0))

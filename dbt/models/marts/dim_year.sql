-- Every report year from the first national reports (2008) to the latest year present, with the
-- template the State Council prescribed for it (templates.md §1).
with bounds as (
    select greatest(coalesce(max(report_year), 2008), 2008) as last_year
    from {{ ref('stg_parsed__reports') }}
    where report_year between 2000 and 2100
)
select
    cast(y.report_year as integer) as report_year,
    case
        when y.report_year <= 2018 then 'pre2019'
        when y.report_year <= 2020 then 'v2019'
        else 'v2021'
    end as expected_template
from bounds, range(2008, bounds.last_year + 1) as y(report_year)

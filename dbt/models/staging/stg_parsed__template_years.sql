-- The template prescribed for each report year (dagster_project/parsing/templates.py
-- expected_template), written by the Dagster asset `catalogue` for 2008–2100.
select
    report_year,
    expected_template
from {{ source('parsed', 'template_years') }}
